//! `/search`: the reader's full-text search with highlighted snippets, tag and date filters,
//! relevance or newest-first order, and pages. Any input is safe: a stray quote or a lone
//! operator is just text, never an error page.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::index::{Found, MAX_QUERY, SearchQuery, Sort};
use super::text::{query_terms, terms, word_spans, words};
use crate::app::App;
use crate::articles::model::{Article, Slug};
use crate::text::escape_html;
use crate::text::{day_end, day_start};
use crate::web::error::AppError;
use crate::web::html;

const PER_PAGE: usize = 20;

#[derive(Debug, Deserialize)]
pub struct Params {
    q: Option<String>,
    tag: Option<String>,
    from: Option<String>,
    to: Option<String>,
    order: Option<String>,
    page: Option<String>,
}

#[derive(Debug, Serialize)]
struct Hit {
    article: Article,
    snippet: String,
}

/// A passage of the article around the first word that matches the query, with every
/// matching word marked.
pub fn snippet(article: &Article, query_terms: &HashSet<String>) -> String {
    let text = format!("{} {}", article.lead, crate::text::visible_text(&article.body_html));
    let spans = word_spans(&text);
    let matches = |span: &(usize, usize)| {
        let word = &text[span.0..span.1];
        terms(word, article.language).first().is_some_and(|t| query_terms.contains(t))
    };
    let first = spans.iter().position(matches).unwrap_or(0);
    let from = first.saturating_sub(12);
    let to = (first + 28).min(spans.len());
    if spans.is_empty() {
        return String::new();
    }
    let start = spans[from].0;
    let mut out = String::new();
    if from > 0 {
        out.push_str("… ");
    }
    let mut at = start;
    for span in &spans[from..to] {
        out.push_str(&escape_html(&text[at..span.0]));
        let word = escape_html(&text[span.0..span.1]);
        if matches(span) {
            out.push_str(&format!("<mark>{word}</mark>"));
        } else {
            out.push_str(&word);
        }
        at = span.1;
    }
    if to < spans.len() {
        out.push_str(" …");
    }
    out
}

#[instrument(skip_all)]
pub async fn search(State(app): State<Arc<App>>, Query(params): Query<Params>) -> Result<Response, AppError> {
    let q: String = params.q.unwrap_or_default().trim().chars().take(MAX_QUERY).collect();
    let tag = match params.tag.as_deref().map(str::trim).unwrap_or_default() {
        "" => None,
        t => Some(Slug::parse(t).map_err(|_| AppError::BadRequest("bad_tag"))?.to_string()),
    };
    let zone = &app.time_zone();
    let from_raw = params.from.unwrap_or_default();
    let to_raw = params.to.unwrap_or_default();
    let from = match from_raw.trim() {
        "" => None,
        d => Some(day_start(d, zone).ok_or(AppError::BadRequest("bad_date"))?),
    };
    let until = match to_raw.trim() {
        "" => None,
        d => Some(day_end(d, zone).ok_or(AppError::BadRequest("bad_date"))?),
    };
    let sort = match params.order.as_deref() {
        None | Some("" | "relevance") => Sort::Relevance,
        Some("newest") => Sort::Newest,
        Some(_) => return Err(AppError::BadRequest("bad_order")),
    };
    let page = match params.page.as_deref().map(str::trim).unwrap_or_default() {
        "" => 1,
        p => p.parse::<usize>().ok().filter(|p| (1..=500).contains(p)).ok_or(AppError::BadRequest("bad_page"))?,
    };
    let query = SearchQuery { text: q.clone(), tag: tag.clone(), from, until };
    let Found { ids, total, corrected } = if q.is_empty() {
        Found::default()
    } else {
        app.search.search_or_correct(&query, sort, PER_PAGE, (page - 1) * PER_PAGE).map_err(AppError::Internal)?
    };
    let shown = corrected.as_deref().unwrap_or(&q);
    let query_terms: HashSet<String> = words(&shown.replace('"', " ")).flat_map(|w| query_terms(&w)).collect();
    let now = app.now();
    let mut hits = Vec::new();
    for id in ids {
        // The index may trail the database by a moment: show only what is live now.
        if let Some(article) = crate::articles::queries::find_by_id(&app.db, id).await?.filter(|a| a.is_live(now)) {
            let snippet = snippet(&article, &query_terms);
            hits.push(Hit { article, snippet });
        }
    }
    let pages = total.max(1).div_ceil(PER_PAGE);
    let filters = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("q", shown),
            ("tag", tag.as_deref().unwrap_or_default()),
            ("from", from_raw.trim()),
            ("to", to_raw.trim()),
            ("order", if sort == Sort::Newest { "newest" } else { "relevance" }),
        ])
        .finish();
    let body = app
        .render(
            "search/results.html",
            context! {
                q => &q,
                corrected => corrected,
                hits => Serde(hits),
                total => total,
                page => page,
                pages => pages,
                filters => filters,
                tag => tag,
                from => from_raw.trim(),
                to => to_raw.trim(),
                newest => sort == Sort::Newest,
                nav_current => "search",
            },
        )
        .await?;
    let mut response = html(body);
    if !q.is_empty() {
        response.extensions_mut().insert(crate::analytics::Facts::Search { results: total as u64 });
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use crate::text::visible_text;

    #[test]
    fn visible_text_is_what_readers_see() {
        let html = crate::articles::markdown::render(
            "Der **Hafen** wächst.<!-- Embargo bis Montag: Fusion mit Kiel -->\n\n\
             ## Mehr\n\n* [Quelle](https://example.org/geheim \"a>b\") &amp; R&D\n\n`code` &lt;tag&gt; &#x263A;",
        );
        let text = visible_text(&html);
        assert_eq!(text, "Der Hafen wächst. Mehr Quelle & R&D code <tag> ☺", "{html}");
        assert_eq!(
            visible_text("<p>a<!-- x > y -->b</p><p>c &unknown; d &#99999999;</p>"),
            "a b c &unknown; d &#99999999;"
        );
    }
}
