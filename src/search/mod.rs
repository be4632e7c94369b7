//! Text analysis and similarity. Full-text search with tantivy joins here with the search
//! issue; the similarity engine already serves comment moderation.

pub mod related;
pub mod similarity;
pub mod text;
