//! The comment assessment learns from the site's own moderators: every approve, reject and spam
//! decision in the queue is a labelled example. An admin asks for a new model (`/admin/moderation`
//! or `newsdesk comments retrain`); a background job trains it from the built-in model and the
//! decisions, measures the old and the new on a held-out fifth of the decisions, and stores it.
//! The admin compares the figures and puts it in use, or goes back to the built-in model, with
//! one click; every node follows. Nothing leaves the machine.

use std::sync::Arc;

use serde_json::json;

use super::moderation::Assessor;
use super::moderation::model::{Model, ModelInfo};
use super::moderation::training::{self, Counts, Example, Tally};
use super::queries;
use crate::config::Config;
use crate::db::Db;

/// What learning needs of the application.
pub trait Env: Send + Sync {
    fn db(&self) -> &Db;
    /// The configuration in effect.
    fn config(&self) -> Arc<Config>;
    fn now(&self) -> i64;
    /// The assessment in use now (the one new models are compared with).
    fn assessor(&self) -> Assessor;
}

/// The job that trains site model `model_id`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Retrain {
    pub model_id: i64,
}

impl crate::queue::Kind for Retrain {
    const NAME: &'static str = "comments.retrain";
}

/// Decisions count this much more than a line of the built-in training data.
const DECISION_WEIGHT: f32 = 3.0;

/// What the site's decisions give: (training part, held-out part).
async fn examples(app: &dyn Env) -> anyhow::Result<(Vec<Example>, Vec<Example>)> {
    let config = app.config();
    let decisions =
        queries::decisions(app.db(), config.comments.off_topic_threshold, config.comments.demeaning_threshold).await?;
    let (mut train, mut held_out) = (Vec::new(), Vec::new());
    for decision in &decisions {
        if let Some(example) = decision.example(DECISION_WEIGHT) {
            if decision.held_out() { held_out.push(example) } else { train.push(example) }
        }
    }
    Ok((train, held_out))
}

/// How many decisions there are to learn from now.
pub async fn tally(app: &dyn Env) -> anyhow::Result<Tally> {
    let (train, held_out) = examples(app).await?;
    Ok(Tally::of(&[train, held_out].concat()))
}

/// Why a new site model was not queued.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    TooFew(Tally),
    /// Model `id` is still being trained.
    Busy(i64),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::TooFew(tally) => f.write_str(&tally.refusal().unwrap_or_default()),
            Refused::Busy(id) => write!(f, "model {id} is being trained; wait for it to finish"),
        }
    }
}

/// Asks for a new site model: the id of the training queued, or why it was not. The model in
/// use stays either way.
pub async fn request(app: &dyn Env, user: Option<i64>) -> anyhow::Result<Result<i64, Refused>> {
    let tally = tally(app).await?;
    if !tally.enough() {
        tracing::info!(fine = tally.fine, bad = tally.bad, "retraining refused: too few decisions");
        return Ok(Err(Refused::TooFew(tally)));
    }
    if let Some(id) = queries::training_site_model(app.db()).await? {
        return Ok(Err(Refused::Busy(id)));
    }
    let mut tx = app.db().begin().await?;
    let id = queries::create_site_model(&mut tx, user, app.now()).await?;
    crate::queue::enqueue(&mut tx, &Retrain { model_id: id }, app.now()).await?;
    tx.commit().await?;
    tracing::info!(model = id, user, "site model training queued");
    Ok(Ok(id))
}

/// The job: trains model `job.model_id`, measures it and stores it (or records why it failed).
/// Done once: a job for a model no longer in training does nothing.
pub async fn run(app: &dyn Env, job: Retrain) -> anyhow::Result<()> {
    let id = job.model_id;
    if queries::site_model_state(app.db(), id).await?.as_deref() != Some("training") {
        return Ok(());
    }
    match train(app, id).await {
        Ok(()) => Ok(()),
        Err(reason) => {
            let reason = format!("{reason:#}");
            tracing::warn!(model = id, reason, "site model training failed");
            queries::site_model_failed(app.db(), id, &reason, app.now()).await?;
            Ok(())
        }
    }
}

async fn train(app: &dyn Env, id: i64) -> anyhow::Result<()> {
    queries::site_model_progress(app.db(), id, "reading the decisions").await?;
    let (train, held_out) = examples(app).await?;
    if let Some(reason) = Tally::of(&[train.clone(), held_out.clone()].concat()).refusal() {
        anyhow::bail!(reason);
    }
    queries::site_model_progress(
        app.db(),
        id,
        &format!("training on {} decisions ({} held out to measure it)", train.len(), held_out.len()),
    )
    .await?;
    let config = app.config();
    let current = app.assessor();
    let lists = Assessor::word_lists_only(&config.comments)?;
    let count = (train.len() as i64, held_out.len() as i64);
    let info = ModelInfo {
        trained_on: format!(
            "the built-in model, trained further on {} of this site's moderation decisions",
            train.len()
        ),
        ..Default::default()
    };
    let (model, figures) = tokio::task::spawn_blocking(move || -> anyhow::Result<(Model, serde_json::Value)> {
        let model = training::train_site(&lists, &*Model::built_in().map_err(anyhow::Error::msg)?, &train, info)?;
        let before = training::site_counts(&current, &held_out);
        let after = training::site_counts(&current.with_model(Arc::new(model.clone())), &held_out);
        Ok((model, json!({ "before": counts_json(before), "after": counts_json(after) })))
    })
    .await??;
    queries::site_model_ready(app.db(), id, &model.to_bytes(), &figures, count, app.now()).await?;
    tracing::info!(model = id, %figures, "site model trained");
    Ok(())
}

fn counts_json((demeaning, spam): (Counts, Counts)) -> serde_json::Value {
    let one = |c: Counts| {
        json!({
            "precision": round(c.precision()),
            "recall": round(c.recall()),
            "f1": round(c.f1()),
            "flagged": c.true_positives + c.false_positives,
            "labelled": c.true_positives + c.false_negatives,
        })
    };
    json!({ "demeaning": one(demeaning), "spam": one(spam) })
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Puts site model `id` in use, or the built-in model (`None`): counts a settings revision, so
/// every node (this one too, on its next round or when the caller reloads) builds its assessment
/// again. False when `id` is not a ready model.
pub async fn switch(app: &dyn Env, id: Option<i64>, user: Option<i64>) -> anyhow::Result<bool> {
    let mut tx = app.db().begin().await?;
    if !queries::use_site_model(&mut tx, id).await? {
        return Ok(false);
    }
    crate::settings::count_revision(&mut tx, user, app.now()).await?;
    tx.commit().await?;
    tracing::info!(model = ?id, user, "comment assessment model switched");
    Ok(true)
}

/// The site model in use, read when a node starts or the settings change. A stored model that
/// cannot be read is reported loudly and the built-in model serves instead.
pub async fn model_in_use(db: &Db) -> anyhow::Result<Option<Arc<Model>>> {
    let Some((id, bytes)) = queries::site_model_in_use(db).await? else { return Ok(None) };
    match Model::from_bytes(&bytes) {
        Ok(model) => Ok(Some(Arc::new(model))),
        Err(error) => {
            tracing::error!(model = id, error, "the site model in use is unreadable; using the built-in model");
            Ok(None)
        }
    }
}
