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
    /// Numbers in use (slots of `dense` that are not free).
    live: usize,
}

const NONE: u32 = u32::MAX;

/// Id numbers a native id may take beyond twice the ids in use: the dense table (4 bytes
/// per number up to the largest) then stays within 4 MiB plus 8 bytes per id, whatever
/// numbers a dump or a series of dumps asks for.
pub const NATIVE_SLACK: u64 = 1 << 20;

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
        if self.dense[n] == NONE {
            self.live += 1;
        }
        self.dense[n] = ix;
        self.next = self.next.max(num + 1);
    }

    /// Forgets id number `num` (its external string too).
    pub fn remove(&mut self, num: u32) {
        if let Some(slot) = self.dense.get_mut(num as usize) {
            if *slot != NONE {
                self.live -= 1;
            }
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

    /// The number a native id text stands for (`n42` → 42), if it has that form.
    pub fn native_number(&self, text: &str) -> Option<u32> {
        let digits = text.strip_prefix(self.prefix)?;
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if digits.len() > 1 && digits.starts_with('0') {
            return None;
        }
        let n: u64 = digits.parse().ok()?;
        (n < NONE as u64).then_some(n as u32)
    }

    /// The largest number (exclusive) a new native id may take: the table as allocated,
    /// or twice the ids in use plus [`NATIVE_SLACK`], whichever is more. A sparse id past
    /// it is kept as a string with a fresh number, so no input can make the table (which
    /// every open rebuilds) much larger than the data.
    fn native_limit(&self) -> u64 {
        (self.dense.len() as u64).max(self.live as u64 * 2 + NATIVE_SLACK)
    }

    /// The number for external id `text`: its native number when it has that form, is free
    /// and is below the dense table's bound, else a fresh number remembered with the string.
    pub fn assign(&mut self, text: &str) -> u32 {
        if let Some(n) = self.lookup(text) {
            return n;
        }
        if let Some(n) = self.native_number(text) {
            if (n as u64) < self.native_limit()
                && self.get(n).is_none()
                && !self.ext_by_num.contains_key(&n)
            {
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
        assert_eq!(m.native_number("e4294967295"), None);
        assert_eq!(m.native_number("e0"), Some(0));
    }

    /// Assigns and places ids the way an import does.
    fn import(m: &mut IdMap, text: &str) -> u32 {
        let n = m.assign(text);
        let ix = m.live as u32;
        m.set(n, ix);
        n
    }

    #[test]
    fn sparse_ids_cannot_grow_the_table_past_its_bound() {
        let mut m = IdMap::new('n');
        // Repeated tiny imports, each asking for a number just under the last bound.
        for round in 0..3 {
            let big = format!("n{}", m.native_limit() - 1);
            let n = import(&mut m, &big);
            assert_eq!(m.text(n), big, "round {round}: the id text is kept");
            assert_eq!(m.lookup(&big), Some(n));
        }
        assert!(
            m.dense.len() as u64 <= NATIVE_SLACK + 8,
            "{}",
            m.dense.len()
        );
        // Past the bound the text is kept with a small fresh number.
        let far = "n4000000000";
        let n = import(&mut m, far);
        assert!((n as usize) < m.dense.len() + 1, "{n}");
        assert_eq!(m.text(n), far);
        assert_eq!(m.lookup(far), Some(n));
        // 4 bytes per number, with the Vec's room to grow.
        assert!(m.heap_bytes() < 9 << 20, "{}", m.heap_bytes());
    }

    #[test]
    fn the_bound_grows_with_the_ids_in_use() {
        let mut m = IdMap::new('n');
        for i in 0..1000u32 {
            import(&mut m, &format!("n{i}"));
        }
        let limit = m.native_limit();
        assert_eq!(limit, 2000 + NATIVE_SLACK);
        assert_eq!(import(&mut m, &format!("n{}", limit - 1)) as u64, limit - 1);
        m.remove(5);
        assert_eq!(m.live, 1000);
        assert_eq!(m.lookup("n5"), None);
    }
}
