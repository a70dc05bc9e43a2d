//! `sendlint`: everything but live SES and `serve`, which it hands to `sendlint-full`.

fn main() -> std::process::ExitCode {
    sendlint_cli::main()
}
