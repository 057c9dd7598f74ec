//! Object IDs (`<prefix>_<base62>`, sorting by creation time) and random secrets.

use std::sync::Mutex;

use rand::Rng;
use rand::distributions::Alphanumeric;

/// Base62 digits in ASCII order, so that byte order of IDs is numeric order.
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Digits of the millisecond time: 62^9 > 2^53.
const TIME_DIGITS: usize = 9;
/// Digits of the per-millisecond counter.
const COUNTER_DIGITS: usize = 3;
/// 62^3: IDs one millisecond can hold before borrowing the next one.
const COUNTER_LIMIT: u64 = 238_328;
/// Random digits, so IDs cannot be guessed from the time.
const RANDOM_DIGITS: usize = 8;

/// Setup session.
pub(crate) const SETUP_SESSION: &str = "pas";
/// OAuth setup.
pub(crate) const OAUTH_SETUP: &str = "pos";
/// Auth export.
pub(crate) const AUTH_EXPORT: &str = "pace";
/// Auth config.
pub(crate) const AUTH_CONFIG: &str = "pac";
/// Auth credentials.
pub(crate) const CREDENTIALS: &str = "pcr";

/// Makes IDs that sort (bytewise, as SQLite compares text) in creation order: the millisecond
/// time, a counter within the millisecond, and random digits, all fixed width.
#[derive(Debug, Default)]
pub(crate) struct IdGenerator {
    /// The last (millisecond, counter) handed out.
    last: Mutex<(u64, u64)>,
}

impl IdGenerator {
    /// A new ID with `prefix`, later than every ID this generator made before.
    pub(crate) fn next(&self, prefix: &str, now_ms: i64) -> String {
        let now = u64::try_from(now_ms).unwrap_or(0);
        let (ms, counter) = {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            let next = if now > last.0 {
                (now, 0)
            } else if last.1 + 1 < COUNTER_LIMIT {
                (last.0, last.1 + 1)
            } else {
                (last.0 + 1, 0)
            };
            *last = next;
            next
        };
        let mut id = String::with_capacity(prefix.len() + 1 + 20);
        id.push_str(prefix);
        id.push('_');
        push_base62(&mut id, ms, TIME_DIGITS);
        push_base62(&mut id, counter, COUNTER_DIGITS);
        let mut rng = rand::thread_rng();
        for _ in 0..RANDOM_DIGITS {
            id.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
        }
        id
    }
}

/// Appends `value` in base62, left-padded with `0` to `width` digits.
fn push_base62(out: &mut String, mut value: u64, width: usize) {
    let mut digits = vec![b'0'; width];
    for digit in digits.iter_mut().rev() {
        *digit = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    out.extend(digits.into_iter().map(char::from));
}

/// A random alphanumeric secret of `len` characters (OAuth `state`, codes, tokens, API keys).
pub(crate) fn random_secret(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_creation_order_and_have_a_fixed_width() {
        let ids = IdGenerator::default();
        let mut made = Vec::new();
        // Same millisecond, a clock going backwards, then forward again.
        for now in [1_000, 1_000, 1_000, 999, 5_000, 5_000, 1_800_000_000_000] {
            made.push(ids.next("pas", now));
        }
        let mut sorted = made.clone();
        sorted.sort();
        assert_eq!(made, sorted);
        assert!(
            made.iter().all(|id| id.len() == "pas_".len() + 20),
            "{made:?}"
        );
        assert!(
            made.iter()
                .all(|id| id[4..].bytes().all(|b| b.is_ascii_alphanumeric()))
        );
    }

    #[test]
    fn the_counter_spills_into_the_next_millisecond() {
        let ids = IdGenerator::default();
        let mut previous = ids.next("pac", 7);
        for _ in 0..(COUNTER_LIMIT + 5) {
            let id = ids.next("pac", 7);
            assert!(id > previous);
            previous = id;
        }
    }
}
