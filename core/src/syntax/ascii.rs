//! ASCII case folding and hashing, eight bytes at a time (SWAR).

use hashbrown::DefaultHashBuilder;
use std::hash::{BuildHasher, Hasher};

/// The hash of a table key: its bytes alone. `Hash` for slices also writes the length, which
/// only matters when several fields are hashed in a row; a key here is one byte string, so
/// leaving it out saves a multiply per lookup and changes nothing else.
pub(crate) fn hash_with(hasher: &DefaultHashBuilder, bytes: &[u8]) -> u64 {
    let mut h = hasher.build_hasher();
    h.write(bytes);
    h.finish()
}

/// A hash of `name` that ignores ASCII case, eight bytes at a time: every byte is hashed with
/// bit 0x20 set, which maps each upper-case letter onto its lower-case form (and merges a few
/// symbol pairs, such as `^` and `~`, costing at most an extra comparison). It runs once per
/// requested header, so it is kept much cheaper than a general-purpose hasher; the set is
/// fixed at compile time, so chosen inputs cannot lengthen its probe sequences.
pub(crate) fn case_insensitive_hash(name: &[u8]) -> u64 {
    const LOWER: u64 = 0x2020_2020_2020_2020;
    /// Folded multiply by an odd constant (the golden ratio): mixes every input bit into the
    /// high bits hashbrown tags with and the low bits it indexes with.
    fn mix(x: u64) -> u64 {
        let p = u128::from(x) * 0x9e37_79b9_7f4a_7c15;
        (p as u64) ^ ((p >> 64) as u64)
    }
    /// The first `N` bytes of `b` (callers ensure there are `N`), as one fixed-size load.
    fn word<const N: usize>(b: &[u8]) -> [u8; N] {
        let mut w = [0u8; N];
        if let Some(src) = b.get(..N) {
            w.copy_from_slice(src);
        }
        w
    }
    let len = name.len();
    let mut h = mix(len as u64);
    let mut chunks = name.chunks_exact(8);
    for chunk in &mut chunks {
        h = mix(h ^ (u64::from_le_bytes(word(chunk)) | LOWER));
    }
    if chunks.remainder().is_empty() {
        return h;
    }
    // The last bytes without a variable-length copy (which costs a memcpy call and a stalled
    // load): the final eight bytes, overlapping the chunk before; or two overlapping halves;
    // or the first, middle and last byte. With the length mixed in, no byte is left out.
    let at = |i: usize| u64::from(name.get(i).copied().unwrap_or(0));
    let tail = if len >= 8 {
        u64::from_le_bytes(word(name.get(len - 8..).unwrap_or_default()))
    } else if len >= 4 {
        let low = u32::from_le_bytes(word(name));
        let high = u32::from_le_bytes(word(name.get(len - 4..).unwrap_or_default()));
        u64::from(low) | (u64::from(high) << 32)
    } else {
        at(0) | (at(len / 2) << 8) | (at(len - 1) << 16)
    };
    mix(h ^ (tail | LOWER))
}

/// Each ASCII upper-case letter of the eight bytes of `w` in lower case, other bytes unchanged
/// (SWAR: the additions stay within each byte, as only bytes below 0x80 take part).
fn lower_word(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = w & (0x7f * ONES);
    let at_least_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = at_least_a & !past_z & !w & (0x80 * ONES);
    w | (upper >> 2)
}

/// `name.eq_ignore_ascii_case(lower)` for a `lower` already in lower case, eight bytes at a
/// time (the byte loop showed up in preflights: one comparison per requested header).
pub(crate) fn eq_lowercase(name: &[u8], lower: &[u8]) -> bool {
    /// Bytes `at..at + N` as a word (callers ensure they exist), zero-extended.
    fn load<const N: usize>(b: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 8];
        if let (Some(dst), Some(src)) = (w.get_mut(..N), b.get(at..at + N)) {
            dst.copy_from_slice(src);
        }
        u64::from_le_bytes(w)
    }
    let len = name.len();
    if len != lower.len() {
        return false;
    }
    let same = |at: usize| lower_word(load::<8>(name, at)) == load::<8>(lower, at);
    let same4 = |at: usize| lower_word(load::<4>(name, at)) == load::<4>(lower, at);
    match len {
        // The last word overlaps the one before it: every byte is compared.
        8.. => (0..len / 8).all(|i| same(i * 8)) && same(len - 8),
        4..=7 => same4(0) && same4(len - 4),
        _ => name.eq_ignore_ascii_case(lower),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_lowercase_agrees_with_eq_ignore_ascii_case() {
        // Bytes around the letters' edges, and above 0x7f.
        let alphabet = b"@AZ[`az{09-_^~\x80\xc1\xda\xff";
        let mut names: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=17usize {
            for seed in 0..40usize {
                let name = (0..len)
                    .map(|i| alphabet[(seed * 7 + i * (seed + 3)) % alphabet.len()])
                    .collect();
                names.push(name);
            }
        }
        for name in &names {
            for other in &names {
                let lower = other.to_ascii_lowercase();
                assert_eq!(
                    eq_lowercase(name, &lower),
                    name.eq_ignore_ascii_case(&lower),
                    "{name:?} vs {lower:?}"
                );
            }
            let lower = name.to_ascii_lowercase();
            assert!(eq_lowercase(name, &lower), "{name:?}");
            assert!(eq_lowercase(&name.to_ascii_uppercase(), &lower), "{name:?}");
        }
        for b in 0..=255u8 {
            assert_eq!(
                lower_word(u64::from(b)),
                u64::from(b.to_ascii_lowercase()),
                "{b}"
            );
        }
    }

    #[test]
    fn case_insensitive_hash_agrees_with_eq_ignore_ascii_case() {
        let names: [&[u8]; 5] = [
            b"content-type",
            b"X-Request-ID",
            b"a",
            b"",
            b"x-a-very-long-name-0",
        ];
        for name in names {
            let upper = name.to_ascii_uppercase();
            let lower = name.to_ascii_lowercase();
            assert_eq!(case_insensitive_hash(&upper), case_insensitive_hash(&lower));
        }
        let long = b"X-Request-Id-Abcdefghijkl";
        for n in 0..=long.len() {
            let name = &long[..n];
            let lower = name.to_ascii_lowercase();
            assert_eq!(
                case_insensitive_hash(name),
                case_insensitive_hash(&lower),
                "{n}"
            );
            if n > 0 {
                let mut other = lower.clone();
                other[n - 1] ^= 1;
                assert_ne!(
                    case_insensitive_hash(&lower),
                    case_insensitive_hash(&other),
                    "{n}"
                );
            }
        }
        assert_ne!(case_insensitive_hash(b"x-a"), case_insensitive_hash(b"x-b"));
        assert_ne!(case_insensitive_hash(b"x"), case_insensitive_hash(b"x\0"));
    }
}
