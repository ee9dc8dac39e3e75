//! The command line's own modules: what only the `borderflow` binary does, such as timing its
//! own child processes for `borderflow bench`.

pub mod bench;
