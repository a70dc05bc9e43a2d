//! [`QuestionMap`]: values per question, the map a cache and a replay keep
//! answers in.

use crate::RecordType;
use sendlint_records::name::{DomainName, NameMap};

/// Values per question (name, type), keyed by the name alone and then the
/// type among the few asked of it: a look-up borrows the asked name, so a
/// hit builds and clones no key (a `(DomainName, RecordType)` key had to be
/// built, cloning the name, for every look-up). The name is cloned once, when
/// the first question about it is stored.
#[derive(Debug, Clone)]
pub(crate) struct QuestionMap<V> {
    names: NameMap<DomainName, Vec<(RecordType, V)>>,
    len: usize,
}

impl<V> Default for QuestionMap<V> {
    fn default() -> Self {
        QuestionMap { names: NameMap::default(), len: 0 }
    }
}

impl<V> QuestionMap<V> {
    /// The value of `name`/`rtype`.
    pub(crate) fn get(&self, name: &DomainName, rtype: RecordType) -> Option<&V> {
        self.names.get(name)?.iter().find(|(t, _)| *t == rtype).map(|(_, v)| v)
    }

    /// The value of `name`/`rtype`, `value` stored first when there is none
    /// (the first stays, like `entry().or_insert`).
    pub(crate) fn get_or_insert(&mut self, name: &DomainName, rtype: RecordType, value: V) -> V
    where
        V: Clone,
    {
        match self.names.get_mut(name) {
            Some(types) => {
                if let Some((_, first)) = types.iter().find(|(t, _)| *t == rtype) {
                    return first.clone();
                }
                types.push((rtype, value.clone()));
            }
            None => {
                self.names.insert(name.clone(), vec![(rtype, value.clone())]);
            }
        }
        self.len += 1;
        value
    }

    /// Stores `value` for `name`/`rtype`, replacing any.
    pub(crate) fn insert(&mut self, name: DomainName, rtype: RecordType, value: V) {
        let types = self.names.entry(name).or_default();
        match types.iter_mut().find(|(t, _)| *t == rtype) {
            Some((_, old)) => *old = value,
            None => {
                types.push((rtype, value));
                self.len += 1;
            }
        }
    }

    /// How many questions.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every question and its value, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&DomainName, RecordType, &V)> {
        self.names.iter().flat_map(|(name, types)| types.iter().map(move |(t, v)| (name, *t, v)))
    }

    /// [`QuestionMap::iter`], the values mutable.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&DomainName, RecordType, &mut V)> {
        self.names.iter_mut().flat_map(|(name, types)| types.iter_mut().map(move |(t, v)| (&*name, *t, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).expect("name")
    }

    #[test]
    fn a_question_map_keys_by_name_case_insensitively_then_type() {
        let mut m = QuestionMap::default();
        assert_eq!(m.get_or_insert(&n("Send.Acme.test"), RecordType::Txt, 1), 1);
        // the first stays
        assert_eq!(m.get_or_insert(&n("send.acme.TEST"), RecordType::Txt, 2), 1);
        m.insert(n("send.acme.test"), RecordType::Mx, 3);
        m.insert(n("other.acme.test"), RecordType::Mx, 4);
        m.insert(n("other.acme.test"), RecordType::Mx, 5);
        assert_eq!(m.len(), 3);
        assert_eq!(m.get(&n("SEND.acme.test"), RecordType::Txt), Some(&1));
        assert_eq!(m.get(&n("send.acme.test"), RecordType::Mx), Some(&3));
        assert_eq!(m.get(&n("other.acme.test"), RecordType::Mx), Some(&5));
        assert_eq!(m.get(&n("other.acme.test"), RecordType::Txt), None);
        assert_eq!(m.get(&n("acme.test"), RecordType::Mx), None);
        for (_, _, v) in m.iter_mut() {
            *v *= 10;
        }
        let mut all: Vec<(String, RecordType, i32)> =
            m.iter().map(|(name, t, v)| (name.to_string().to_ascii_lowercase(), t, *v)).collect();
        all.sort();
        assert_eq!(
            all,
            [
                ("other.acme.test".into(), RecordType::Mx, 50),
                ("send.acme.test".into(), RecordType::Mx, 30),
                ("send.acme.test".into(), RecordType::Txt, 10),
            ]
        );
    }
}
