//! Stable ids of nodes and edges: a dense number per node or edge, written `n<k>`
//! or `e<k>`, or the string id a dump gave when it has another form.

use rustc_hash::FxHashMap;

/// Maps the stable id numbers of one kind (nodes or edges) to graph indexes and
/// keeps the external string ids that are not of the form `<prefix><digits>`.
#[derive(Debug, Clone, Default)]
pub struct IdMap {
    prefix: char,
    /// index by id number; `u32::MAX` marks a free number.
    dense: Vec<u32>,
    ext_by_num: FxHashMap<u32, Box<str>>,
    num_by_ext: FxHashMap<Box<str>, u32>,
    next: u32,
}

const NONE: u32 = u32::MAX;

impl IdMap {
    /// An empty map whose native ids are written `<prefix><number>`.
    pub fn new(prefix: char) -> IdMap {
        IdMap {
            prefix,
            ..IdMap::default()
        }
    }

    /// The graph index of id number `num`.
    pub fn get(&self, num: u32) -> Option<u32> {
        self.dense.get(num as usize).copied().filter(|&i| i != NONE)
    }

    /// Records that id number `num` lives at graph index `ix`.
    pub fn set(&mut self, num: u32, ix: u32) {
        let n = num as usize;
        if n >= self.dense.len() {
            self.dense.resize(n + 1, NONE);
        }
        self.dense[n] = ix;
        self.next = self.next.max(num + 1);
    }

    /// Forgets id number `num` (its external string too).
    pub fn remove(&mut self, num: u32) {
        if let Some(slot) = self.dense.get_mut(num as usize) {
            *slot = NONE;
        }
        if let Some(s) = self.ext_by_num.remove(&num) {
            self.num_by_ext.remove(&s);
        }
    }

    /// Reserves capacity for `n` ids.
    pub fn reserve(&mut self, n: usize) {
        self.dense.reserve(n);
    }

    /// A fresh id number, never used before in this map.
    pub fn allocate(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// The next number [`IdMap::allocate`] would give.
    pub fn next_number(&self) -> u32 {
        self.next
    }

    /// Makes sure future allocations start at `next` or later.
    pub fn bump_next(&mut self, next: u32) {
        self.next = self.next.max(next);
    }

    /// The id number written as `text`, if it exists.
    pub fn lookup(&self, text: &str) -> Option<u32> {
        if !self.num_by_ext.is_empty() {
            if let Some(&n) = self.num_by_ext.get(text) {
                return Some(n);
            }
        }
        let n = self.native_number(text)?;
        (self.get(n).is_some() && !self.ext_by_num.contains_key(&n)).then_some(n)
    }

    /// The number a native id text stands for (`n42` → 42), if it has that form and is small enough
    /// to keep the id space dense.
    pub fn native_number(&self, text: &str) -> Option<u32> {
        let digits = text.strip_prefix(self.prefix)?;
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits.len() > 1 && digits.starts_with('0') {
            return None;
        }
        let n: u64 = digits.parse().ok()?;
        // Keep the dense table from exploding on a sparse id.
        let limit = (self.dense.len() as u64).saturating_mul(4) + (1 << 24);
        (n < limit && n < NONE as u64).then_some(n as u32)
    }

    /// The number for external id `text`: its native number when it has that form and is free,
    /// else a fresh number remembered with the string.
    pub fn assign(&mut self, text: &str) -> u32 {
        if let Some(n) = self.lookup(text) {
            return n;
        }
        if let Some(n) = self.native_number(text) {
            if self.get(n).is_none() && !self.ext_by_num.contains_key(&n) {
                self.next = self.next.max(n + 1);
                return n;
            }
        }
        let n = self.allocate();
        self.set_ext(n, text);
        n
    }

    /// Remembers `text` as the external id of number `num`.
    pub fn set_ext(&mut self, num: u32, text: &str) {
        self.ext_by_num.insert(num, text.into());
        self.num_by_ext.insert(text.into(), num);
    }

    /// The external string of number `num`, when it is not native.
    pub fn ext(&self, num: u32) -> Option<&str> {
        self.ext_by_num.get(&num).map(|s| &**s)
    }

    /// The text of id number `num`.
    pub fn text(&self, num: u32) -> String {
        match self.ext(num) {
            Some(s) => s.to_string(),
            None => format!("{}{}", self.prefix, num),
        }
    }

    /// Approximate heap bytes used.
    pub fn heap_bytes(&self) -> usize {
        self.dense.capacity() * 4 + self.ext_by_num.len() * 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_ids_keep_their_number() {
        let mut m = IdMap::new('n');
        assert_eq!(m.assign("n5"), 5);
        m.set(5, 0);
        assert_eq!(m.lookup("n5"), Some(5));
        assert_eq!(m.allocate(), 6);
    }

    #[test]
    fn foreign_ids_get_fresh_numbers_and_keep_their_text() {
        let mut m = IdMap::new('n');
        let a = m.assign("person:42");
        m.set(a, 0);
        assert_eq!(m.text(a), "person:42");
        assert_eq!(m.lookup("person:42"), Some(a));
        assert_eq!(m.lookup(&format!("n{a}")), None);
        // A native-looking id whose number is taken by a foreign one gets its own number.
        let b = m.assign(&format!("n{a}"));
        assert_ne!(a, b);
        m.set(b, 1);
        assert_eq!(m.lookup(&format!("n{a}")), Some(b));
        assert_eq!(m.text(b), format!("n{a}"));
    }

    #[test]
    fn leading_zeros_and_huge_numbers_are_not_native() {
        let m = IdMap::new('e');
        assert_eq!(m.native_number("e007"), None);
        assert_eq!(m.native_number("e99999999999"), None);
        assert_eq!(m.native_number("e0"), Some(0));
    }
}
