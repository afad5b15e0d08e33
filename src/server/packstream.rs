//! PackStream, the binary value encoding of Bolt (<https://neo4j.com/docs/bolt/current/packstream/>):
//! values, an encoder, and a decoder that treats its input as hostile — every declared
//! size is checked against the bytes present before anything is reserved, nesting is
//! bounded, and every failure is an error, never a panic.
//!
//! Written here rather than taken from a crate: `bolt-proto` stops at Bolt 4.4, `packs`
//! has had no release since 2020, and `boltr` brings a tokio runtime and needs a newer
//! Rust than this crate's.

/// The deepest nesting of lists, maps and structures the decoder accepts.
pub const MAX_DEPTH: usize = 64;

/// A PackStream value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Null (`0xC0`).
    Null,
    /// A boolean (`0xC2`, `0xC3`).
    Bool(bool),
    /// A signed 64-bit integer.
    Int(i64),
    /// A 64-bit float (`0xC1`).
    Float(f64),
    /// A byte array (`0xCC`..`0xCE`).
    Bytes(Vec<u8>),
    /// A UTF-8 string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// A dictionary, keys in the order sent.
    Map(Vec<(String, Value)>),
    /// A structure: a tag byte and its fields (nodes, dates, and the Bolt messages).
    Struct(u8, Vec<Value>),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// The value under `key`, if this is a map that has one.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer inside, if this is an integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// Why bytes are not one PackStream value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes end inside a value.
    #[error("the message ends inside a value at byte {0}")]
    Truncated(usize),
    /// A marker byte that starts no value.
    #[error("unknown marker byte 0x{0:02X} at byte {1}")]
    UnknownMarker(u8, usize),
    /// Lists, maps or structures nested deeper than [`MAX_DEPTH`].
    #[error("values nested deeper than {MAX_DEPTH} levels at byte {0}")]
    TooDeep(usize),
    /// A string that is not UTF-8.
    #[error("a string that is not UTF-8 at byte {0}")]
    BadUtf8(usize),
    /// A map key that is not a string.
    #[error("a map key that is not a string at byte {0}")]
    KeyNotString(usize),
    /// Bytes left over after the value.
    #[error("{0} bytes left over after the value")]
    Trailing(usize),
}

/// Decodes one value that must take all of `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(0)?;
    if r.pos != bytes.len() {
        return Err(DecodeError::Trailing(bytes.len() - r.pos));
    }
    Ok(v)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() - self.pos < n {
            return Err(DecodeError::Truncated(self.buf.len()));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Fails unless `n` items of at least `each` bytes can still follow.
    fn room_for(&self, n: usize, each: usize) -> Result<(), DecodeError> {
        if n.saturating_mul(each) > self.remaining() {
            Err(DecodeError::Truncated(self.buf.len()))
        } else {
            Ok(())
        }
    }

    fn string(&mut self, len: usize) -> Result<String, DecodeError> {
        let at = self.pos;
        let b = self.take(len)?;
        String::from_utf8(b.to_vec()).map_err(|_| DecodeError::BadUtf8(at))
    }

    fn value(&mut self, depth: usize) -> Result<Value, DecodeError> {
        let at = self.pos;
        let m = self.take(1)?[0];
        let nested = |depth: usize| {
            if depth >= MAX_DEPTH {
                Err(DecodeError::TooDeep(at))
            } else {
                Ok(depth + 1)
            }
        };
        Ok(match m {
            0x00..=0x7F => Value::Int(i64::from(m)),
            0xF0..=0xFF => Value::Int(i64::from(m as i8)),
            0xC0 => Value::Null,
            0xC2 => Value::Bool(false),
            0xC3 => Value::Bool(true),
            0xC1 => Value::Float(f64::from_bits(self.be(8)?)),
            0xC8 => Value::Int(i64::from(self.be(1)? as u8 as i8)),
            0xC9 => Value::Int(i64::from(self.be(2)? as u16 as i16)),
            0xCA => Value::Int(i64::from(self.be(4)? as u32 as i32)),
            0xCB => Value::Int(self.be(8)? as i64),
            0xCC..=0xCE => {
                let len = self.be(1 << (m - 0xCC))? as usize;
                Value::Bytes(self.take(len)?.to_vec())
            }
            0x80..=0x8F => Value::String(self.string(usize::from(m & 0x0F))?),
            0xD0..=0xD2 => {
                let len = self.be(1 << (m - 0xD0))? as usize;
                Value::String(self.string(len)?)
            }
            0x90..=0x9F | 0xD4..=0xD6 => {
                let len = if m < 0xA0 {
                    usize::from(m & 0x0F)
                } else {
                    self.be(1 << (m - 0xD4))? as usize
                };
                let depth = nested(depth)?;
                self.room_for(len, 1)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.value(depth)?);
                }
                Value::List(items)
            }
            0xA0..=0xAF | 0xD8..=0xDA => {
                let len = if m < 0xB0 {
                    usize::from(m & 0x0F)
                } else {
                    self.be(1 << (m - 0xD8))? as usize
                };
                let depth = nested(depth)?;
                self.room_for(len, 2)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    let key_at = self.pos;
                    let Value::String(k) = self.value(depth)? else {
                        return Err(DecodeError::KeyNotString(key_at));
                    };
                    items.push((k, self.value(depth)?));
                }
                Value::Map(items)
            }
            0xB0..=0xBF => {
                let len = usize::from(m & 0x0F);
                let tag = self.take(1)?[0];
                let depth = nested(depth)?;
                self.room_for(len, 1)?;
                let mut fields = Vec::with_capacity(len);
                for _ in 0..len {
                    fields.push(self.value(depth)?);
                }
                Value::Struct(tag, fields)
            }
            other => return Err(DecodeError::UnknownMarker(other, at)),
        })
    }
}

/// Appends the encoding of `v` to `out`.
pub fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0xC0),
        Value::Bool(b) => out.push(if *b { 0xC3 } else { 0xC2 }),
        Value::Int(i) => encode_int(*i, out),
        Value::Float(f) => {
            out.push(0xC1);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Value::Bytes(b) => {
            header(out, b.len(), None, [0xCC, 0xCD, 0xCE]);
            out.extend_from_slice(b);
        }
        Value::String(s) => {
            header(out, s.len(), Some(0x80), [0xD0, 0xD1, 0xD2]);
            out.extend_from_slice(s.as_bytes());
        }
        Value::List(items) => {
            header(out, items.len(), Some(0x90), [0xD4, 0xD5, 0xD6]);
            items.iter().for_each(|x| encode(x, out));
        }
        Value::Map(items) => {
            header(out, items.len(), Some(0xA0), [0xD8, 0xD9, 0xDA]);
            for (k, x) in items {
                header(out, k.len(), Some(0x80), [0xD0, 0xD1, 0xD2]);
                out.extend_from_slice(k.as_bytes());
                encode(x, out);
            }
        }
        Value::Struct(tag, fields) => {
            // Structures have at most 15 fields; every structure Bolt defines fits.
            debug_assert!(fields.len() < 16, "a structure of {} fields", fields.len());
            out.push(0xB0 | (fields.len().min(15) as u8));
            out.push(*tag);
            fields.iter().take(15).for_each(|x| encode(x, out));
        }
    }
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    if (-16..=127).contains(&i) {
        out.push(i as i8 as u8);
    } else if i8::try_from(i).is_ok() {
        out.extend_from_slice(&[0xC8, i as i8 as u8]);
    } else if let Ok(x) = i16::try_from(i) {
        out.push(0xC9);
        out.extend_from_slice(&x.to_be_bytes());
    } else if let Ok(x) = i32::try_from(i) {
        out.push(0xCA);
        out.extend_from_slice(&x.to_be_bytes());
    } else {
        out.push(0xCB);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// The marker of a sized value: the tiny form `tiny | len` below 16 when there is one,
/// else the 8-, 16- or 32-bit size form.
fn header(out: &mut Vec<u8>, len: usize, tiny: Option<u8>, sized: [u8; 3]) {
    match (tiny, len) {
        (Some(t), 0..=15) => out.push(t | len as u8),
        (_, 0..=0xFF) => out.extend_from_slice(&[sized[0], len as u8]),
        (_, 0x100..=0xFFFF) => {
            out.push(sized[1]);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(sized[2]);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(v: Value) {
        let mut b = Vec::new();
        encode(&v, &mut b);
        assert_eq!(decode(&b), Ok(v), "{b:02X?}");
    }

    #[test]
    fn values_round_trip_in_every_size() {
        for i in [
            0,
            1,
            -1,
            -16,
            -17,
            127,
            128,
            -128,
            -129,
            32767,
            32768,
            -32769,
            i32::MAX as i64 + 1,
            i64::MIN,
            i64::MAX,
        ] {
            round(Value::Int(i));
        }
        round(Value::Float(-1.5));
        round(Value::Null);
        round(Value::Bool(true));
        for n in [0, 15, 16, 255, 256, 70_000] {
            round(Value::String("é".repeat(n / 2) + &"a".repeat(n % 2)));
            round(Value::List(vec![Value::Int(1); n]));
            round(Value::Bytes(vec![7; n]));
        }
        round(Value::Map(vec![
            ("a".into(), Value::Null),
            ("b".into(), Value::Struct(0x44, vec![Value::Int(19_000)])),
        ]));
    }

    #[test]
    fn known_encodings() {
        let mut b = Vec::new();
        encode(&Value::Int(-16), &mut b);
        encode(&Value::Int(200), &mut b);
        encode(&Value::str("a"), &mut b);
        assert_eq!(b, [0xF0, 0xC9, 0x00, 0xC8, 0x81, b'a']);
    }

    #[test]
    fn hostile_bytes_are_errors() {
        // A list that claims four billion items in five bytes reserves nothing.
        assert_eq!(
            decode(&[0xD6, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(DecodeError::Truncated(5))
        );
        assert_eq!(
            decode(&[0xDA, 0xFF, 0xFF, 0xFF, 0xFF, 0x80]),
            Err(DecodeError::Truncated(6))
        );
        assert_eq!(
            decode(&[0xD2, 0, 0, 0, 9, b'a']),
            Err(DecodeError::Truncated(6))
        );
        assert!(matches!(
            decode(&[0xE0]),
            Err(DecodeError::UnknownMarker(0xE0, 0))
        ));
        assert!(matches!(
            decode(&[0x82, 0xFF, 0xFE]),
            Err(DecodeError::BadUtf8(1))
        ));
        assert!(matches!(
            decode(&[0xA1, 0x01, 0x01]),
            Err(DecodeError::KeyNotString(1))
        ));
        assert_eq!(decode(&[0x01, 0x02]), Err(DecodeError::Trailing(1)));
        let deep = vec![0x91; 10_000];
        assert!(matches!(decode(&deep), Err(DecodeError::TooDeep(_))));
        assert_eq!(decode(&[]), Err(DecodeError::Truncated(0)));
    }

    #[test]
    fn random_and_truncated_bytes_never_panic() {
        // A small xorshift generator: the same cases on every run.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut good = Vec::new();
        encode(
            &Value::Map(vec![
                (
                    "k".into(),
                    Value::List(vec![Value::Float(1.0), Value::str("v")]),
                ),
                ("s".into(), Value::Struct(0x4E, vec![Value::Int(1)])),
            ]),
            &mut good,
        );
        for cut in 0..good.len() {
            let _ = decode(&good[..cut]);
        }
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = decode(&bytes);
        }
    }

    /// A random value nested at most `depth` deep; `next` gives random numbers.
    fn random_value(next: &mut dyn FnMut() -> u64, depth: usize) -> Value {
        let kind = if depth == 0 { next() % 6 } else { next() % 9 };
        let len = |next: &mut dyn FnMut() -> u64| match next() % 10 {
            0 => 16 + (next() % 300) as usize,
            _ => (next() % 4) as usize,
        };
        match kind {
            0 => Value::Null,
            1 => Value::Bool(next() % 2 == 0),
            2 => Value::Int(match next() % 3 {
                0 => (next() % 256) as i64 - 128,
                1 => next() as i64,
                _ => (next() % 70_000) as i64 - 35_000,
            }),
            3 => Value::Float(
                Some(f64::from_bits(next()))
                    .filter(|f| f.is_finite())
                    .unwrap_or(0.5),
            ),
            4 => Value::String(
                (0..len(next))
                    .map(|i| ['a', 'é', '字', '\n'][(next() as usize + i) % 4])
                    .collect(),
            ),
            5 => Value::Bytes((0..len(next)).map(|_| next() as u8).collect()),
            6 => Value::List(
                (0..len(next).min(4))
                    .map(|_| random_value(next, depth - 1))
                    .collect(),
            ),
            7 => Value::Map(
                (0..len(next).min(4))
                    .map(|i| (format!("k{i}"), random_value(next, depth - 1)))
                    .collect(),
            ),
            _ => Value::Struct(
                (next() % 128) as u8,
                (0..(next() % 4) as usize)
                    .map(|_| random_value(next, depth - 1))
                    .collect(),
            ),
        }
    }

    /// How deep a value is nested (a scalar: 0).
    fn depth_of(v: &Value) -> usize {
        match v {
            Value::List(l) | Value::Struct(_, l) => 1 + l.iter().map(depth_of).max().unwrap_or(0),
            Value::Map(m) => 1 + m.iter().map(|(_, x)| depth_of(x)).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn random_values_round_trip_and_their_cuts_and_flips_are_errors_not_panics() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..300 {
            // Every tenth value is nested past the limit: a chain of one-item lists.
            let mut v = random_value(&mut next, 4);
            if case % 10 == 0 {
                for _ in 0..MAX_DEPTH {
                    v = Value::List(vec![v]);
                }
            }
            let mut b = Vec::new();
            encode(&v, &mut b);
            if depth_of(&v) > MAX_DEPTH {
                assert!(
                    matches!(decode(&b), Err(DecodeError::TooDeep(_))),
                    "case {case}"
                );
            } else {
                assert_eq!(decode(&b).as_ref(), Ok(&v), "case {case}: {b:02X?}");
            }
            for cut in 0..b.len().min(400) {
                assert!(
                    decode(&b[..cut]).is_err(),
                    "case {case}: a cut at {cut} decoded"
                );
            }
            for _ in 0..20 {
                let mut m = b.clone();
                let at = (next() as usize) % m.len();
                m[at] = next() as u8;
                let _ = decode(&m);
            }
        }
    }
}
