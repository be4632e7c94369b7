//! Files built into the binary by `build.rs`: the translations and the migrations. Each table is
//! sorted by relative path.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The bytes of the embedded file at `path` in `table`.
pub fn find(table: &'static [(&'static str, &'static [u8])], path: &str) -> Option<&'static [u8]> {
    table.binary_search_by(|(p, _)| (*p).cmp(path)).ok().map(|i| table[i].1)
}
