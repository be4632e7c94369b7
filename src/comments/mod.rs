//! Reader comments: the form under every article, the checks against bots and floods, the
//! automatic assessment (`moderation/`), the moderation queue in the admin area, the approved
//! comments on the article page, and the comment feeds. Nothing a reader writes appears before
//! a moderator approves it, unless the operator lets trusted commenters through.

pub mod admin;
pub mod handlers;
pub mod learning;
pub mod model;
pub mod moderation;
pub mod queries;
pub mod reminders;
pub mod text;
