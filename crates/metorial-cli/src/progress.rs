//! The progress line of `--all` on stderr: `fetched 100 setup sessions…` after each page,
//! overwritten in place (`\r`) when stderr is a terminal, one line per page otherwise, and a
//! last line with the total.

use std::io::{IsTerminal, Write};

/// The progress of one `--all` listing.
pub struct Progress {
    /// What is listed (`setup sessions`).
    noun: &'static str,
    /// Whether stderr is a terminal (overwrite the line).
    terminal: bool,
    /// The count last shown, so a page is reported once.
    shown: Option<usize>,
}

impl Progress {
    /// The progress of listing `noun`, on stderr.
    pub fn new(noun: &'static str) -> Self {
        Progress {
            noun,
            terminal: std::io::stderr().is_terminal(),
            shown: None,
        }
    }

    /// Reports that `count` items have come so far and the next page is being fetched.
    pub fn page(&mut self, count: usize) {
        if count == 0 || self.shown == Some(count) {
            return;
        }
        self.shown = Some(count);
        let text = format!("fetched {count} {}…", self.noun);
        self.show(&text, !self.terminal);
    }

    /// Reports the total, on a line of its own.
    pub fn done(&mut self, count: usize) {
        let text = format!("fetched {count} {}", self.noun);
        self.show(&text, true);
    }

    /// Writes `text`, over the previous line on a terminal. Failing to write progress is not
    /// an error of the command.
    fn show(&self, text: &str, newline: bool) {
        let mut stderr = std::io::stderr().lock();
        let start = if self.terminal { "\r" } else { "" };
        let clear = if self.terminal { "\x1b[K" } else { "" };
        let end = if newline { "\n" } else { "" };
        let _ = write!(stderr, "{start}{text}{clear}{end}");
        let _ = stderr.flush();
    }
}
