//! `sendlint-full`: the `sendlint` command line with the AWS SDK (`--ses`) and
//! the HTTP server (`serve`) linked in. `sendlint` hands those commands to it.

fn main() -> std::process::ExitCode {
    sendlint_cli::main_full()
}
