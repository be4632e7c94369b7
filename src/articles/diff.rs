//! A line diff for the revision history: which lines of the old text were kept, removed or
//! added. The common beginning and end are set aside first, so a typical edit leaves a small
//! middle for the longest-common-subsequence table; a middle too large for the table is shown as
//! removed and added whole.

use serde::Serialize;

/// Lines in the middle beyond which no table is built (its cells are this squared at most).
const MAX_TABLE_LINES: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub change: Change,
    pub text: String,
}

/// The lines of `old` and `new` in order, each marked kept, removed or added.
pub fn lines(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let line = |change, text: &str| Line { change, text: text.to_string() };
    let mut out: Vec<Line> = a[..prefix].iter().map(|t| line(Change::Same, t)).collect();
    if mid_a.len() > MAX_TABLE_LINES || mid_b.len() > MAX_TABLE_LINES {
        out.extend(mid_a.iter().map(|t| line(Change::Removed, t)));
        out.extend(mid_b.iter().map(|t| line(Change::Added, t)));
    } else {
        out.extend(middle(mid_a, mid_b));
    }
    out.extend(a[a.len() - suffix..].iter().map(|t| line(Change::Same, t)));
    out
}

/// The diff of two line lists through their longest common subsequence.
fn middle(a: &[&str], b: &[&str]) -> Vec<Line> {
    let (n, m) = (a.len(), b.len());
    // table[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] =
                if a[i] == b[j] { table[at(i + 1, j + 1)] + 1 } else { table[at(i + 1, j)].max(table[at(i, j + 1)]) };
        }
    }
    let mut out = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(Line { change: Change::Same, text: a[i].to_string() });
            i += 1;
            j += 1;
        } else if i < n && (j == m || table[at(i + 1, j)] >= table[at(i, j + 1)]) {
            // Removed lines first, then what replaced them, as readers expect.
            out.push(Line { change: Change::Removed, text: a[i].to_string() });
            i += 1;
        } else {
            out.push(Line { change: Change::Added, text: b[j].to_string() });
            j += 1;
        }
    }
    out
}

/// Whether a diff changes anything.
pub fn changed(diff: &[Line]) -> bool {
    diff.iter().any(|l| l.change != Change::Same)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(old: &str, new: &str) -> String {
        lines(old, new)
            .iter()
            .map(|l| match l.change {
                Change::Same => format!(" {}", l.text),
                Change::Removed => format!("-{}", l.text),
                Change::Added => format!("+{}", l.text),
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn marks_kept_removed_and_added_lines() {
        assert_eq!(marks("a\nb\nc", "a\nb\nc"), " a| b| c");
        assert_eq!(marks("a\nb\nc", "a\nx\nc"), " a|-b|+x| c");
        assert_eq!(marks("a\nc", "a\nb\nc"), " a|+b| c");
        assert_eq!(marks("a\nb\nc\nd", "b\nd\ne"), "-a| b|-c| d|+e");
        assert_eq!(marks("", "neu"), "+neu");
        assert!(!changed(&lines("gleich", "gleich")));
    }

    #[test]
    fn huge_middles_are_shown_whole() {
        let old: String = (0..3000).map(|i| format!("alt {i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("neu {i}\n")).collect();
        let diff = lines(&old, &new);
        assert_eq!(diff.len(), 6000);
        assert_eq!(diff[0].change, Change::Removed);
        assert_eq!(diff[5999].change, Change::Added);
    }
}
