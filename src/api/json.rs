//! How articles, labels and comments look as JSON to other programs: the Content API's answers
//! and the webhooks' events carry the same objects, so a program reads both with one parser.

use serde_json::{Value, json};

use crate::articles::model::{Article, Label};
use crate::comments::model::PublicComment;
use crate::discovery::rfc3339;

/// A tag or an author; `kind` is the first part of its page's path (`tag`, `author`).
pub fn label_json(base: &str, kind: &str, label: &Label) -> Value {
    json!({ "slug": label.slug, "name": label.name, "url": format!("{base}/{kind}/{}", label.slug) })
}

/// An article with its whole body; `base` is the site's address, which makes links absolute.
pub fn article_json(base: &str, article: &Article) -> Value {
    json!({
        "id": article.id,
        "slug": article.slug,
        "url": format!("{base}/news/{}", article.slug),
        "title": article.title,
        "lead": article.lead,
        "html": article.body_html,
        "language": article.language,
        "places": article.places,
        "published_at": article.published_at.map(rfc3339),
        "updated_at": article.updated_at.map(rfc3339),
        "modified_at": rfc3339(article.modified_at),
        "image": article.hero.as_ref().map(|h| json!({
            "url": if h.url.starts_with('/') { format!("{base}{}", h.url) } else { h.url.clone() },
            "alt": h.alt,
            "credit": h.credit,
        })),
        "tags": article.tags.iter().map(|t| label_json(base, "tag", t)).collect::<Vec<_>>(),
        "authors": article.authors.iter().map(|a| label_json(base, "author", a)).collect::<Vec<_>>(),
    })
}

/// An approved comment with the approved replies under it.
pub fn comment_json(comment: &PublicComment) -> Value {
    json!({
        "id": comment.id,
        "author": comment.author_name,
        "html": comment.body_html,
        "created_at": rfc3339(comment.created_at),
        "edited_at": comment.edited_at.map(rfc3339),
        "replies": comment.replies.iter().map(comment_json).collect::<Vec<_>>(),
    })
}
