# Newsdesk, English interface. Every text of the pages is here.

skip-to-content = Skip to content
nav-home = Home
nav-archive = Archive
nav-topics = Topics
footer-about = { $site } is an independent news site.
footer-powered = Powered by Newsdesk
footer-privacy = This site loads nothing from other servers and uses no trackers.

lead-story = Top story
latest = Latest news
no-articles = No articles published yet.
page-of = Page { $page } of { $pages }
newer = Newer articles
older = Older articles
pagination = Pagination

by = By
and = and
published = Published
updated = Updated
tags = Topics

research-heading = Research further
research-intro = Search for “{ $title }” on:
research-google = Google
research-bing = Bing
research-google-news = Google News

follow-heading = Don't want to miss anything?
follow-article-feed = Subscribe to new comments on this article
related-heading = Related articles
similar-feed-title = New stories similar to “{ $title }”
follow-similar-feed = Subscribe to new similar stories
follow-main-feed = Subscribe to all news by RSS
follow-topic-feed = Subscribe to the { $name } feed
follow-google-news = Follow { $site } on Google News
follow-bing-news = Follow { $site } on Bing News

tag-heading = Topic: { $name }
tag-count = { $count ->
    [one] One article
   *[other] { $count } articles
}
author-heading = Articles by { $name }
archive-heading = Archive
archive-month-heading = Archive: { $month } { $year }
archive-intro = All articles by month.

date-long = { $month } { $day }, { $year }
date-time = { $date }, { $time }

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

error-400-title = Bad request
error-400-text = We cannot process this address or this input.
error-403-title = Access denied
error-403-text = You are not allowed to do this, or the form has expired. Reload the page and try again.
error-429-title = Too many requests
error-429-text = Please wait a moment and try again.
error-404-title = Page not found
error-404-text = This page does not exist or no longer exists. The home page or the archive may have what you are looking for.
error-405-title = Method not allowed
error-405-text = This address cannot be used this way.
error-413-title = Request too large
error-413-text = The data sent is too large.
error-500-title = Internal error
error-500-text = Something went wrong on our side. We are on it; please try again later.
error-503-title = Temporarily unavailable
error-503-text = The site is overloaded right now. Please try again in a moment.
error-other-title = Error
error-other-text = The request could not be processed.
error-back-home = Back to the home page

comments-heading = { $count ->
    [0] Comments
    [one] One comment
   *[other] { $count } comments
}
comments-invitation = What do you think about “{ $title }”? We look forward to your comment.
comments-policy-held-all = Every comment is checked before it appears.
comments-policy-held-new = Comments are checked before they appear; if comments of yours were approved here before, yours appear at once.
comments-policy-held-some = Comments appear at once unless our checks hold them for a moderator.
comments-policy = We delete comments that are off-topic or only aim to demean readers or authors. Please write as respectfully as if we sat together at one table.
comments-none = No comments yet. Write the first one.
comments-closed = Comments on this article are closed.
comment-by = Comment by { $name }
comment-edited = edited
comment-report = Report
comment-report-why = Why are you reporting this comment?
comment-report-send = Send report
report-reason-demeaning = Insulting or demeaning
report-reason-spam = Advertising or spam
report-reason-off-topic = Nothing to do with the article
report-reason-false = States something false as fact
report-reason-other = Another reason
comment-error-report-reason = Please choose one of the reasons offered for the report.
comment-reply = Reply to { $name }
comment-form-heading = Write a comment
comment-name = Name
comment-email = Email (optional)
comment-email-hint = Never shown; only for questions from the newsroom.
comment-text = Your comment
comment-honeypot = Please leave this field empty
comment-submit = Send comment
comment-back = Back to “{ $title }”
comment-received-title = Thank you for your comment
comment-received-text = Your comment awaits moderation and appears once it has been checked.
comment-published-title = Your comment is published
comment-published-text = Thank you! Your comment is now shown under the article.
comment-reported-title = Thank you for telling us
comment-reported-text = The moderators will look at the reported comment.
comment-refused-title = Comment not accepted
comment-error-origin = The form was not sent from this site. Please write your comment under the article.
comment-error-bot = Your comment could not be accepted.
comment-error-token = The form has expired or is invalid. Please reload the article and send your comment again.
comment-error-closed = Comments on this article are closed.
comment-submit-again = Send the comment again
comment-text-kept = Your text, to copy
comment-pending-heading = Your comment as it will appear once approved
comment-error-flood = You have just commented. Please wait { $seconds ->
    [one] one more second
   *[other] { $seconds } more seconds
}, then send your comment again. Your text is ready below.
comment-error-name-missing = Please give a name.
comment-error-name-too-long = The name is too long (at most 80 characters).
comment-error-email = The email address is invalid. You may also leave the field empty.
comment-error-text-missing = Please write a comment.
comment-error-text-too-long = The comment is too long.
comment-error-encoding = The text is not encoded as UTF-8. Please send the form from a current browser.
comment-error-control = The text contains control characters that are not allowed.
comment-error-parent = The comment you are replying to does not exist (any more).
comments-feed-article = Comments on “{ $title }”
comments-feed-all = Comments at { $site }

admin-title = Newsroom
admin-nav = Newsroom
admin-dashboard = Overview
admin-comments = Comments
admin-to-site = To the site
admin-logout = Sign out
role-admin = Admin
role-editor = Editor
role-moderator = Moderator
login-title = Sign in
login-email = Email
login-password = Password
login-submit = Sign in
login-error-wrong = Email address or password is wrong.
login-error-throttled = Too many failed sign-ins. Please wait a few minutes, then try again.
login-error-expired = The form has expired. Please try again.
dashboard-pending-comments = comments await moderation
dashboard-scheduled = articles scheduled
dashboard-drafts = drafts
dashboard-published = articles published
queue-views = Views
queue-pending = Pending
queue-reported = Reported
queue-approved = Approved
queue-rejected = Rejected
queue-spam = Spam
queue-bulk = Selected:
queue-reply-to = In reply to { $name }:
queue-select-all = Select all on this page
queue-select-none = Clear the selection
queue-undo = Undo
queue-done-approve = { $count ->
    [one] One comment approved.
   *[other] { $count } comments approved.
}
queue-done-reject = { $count ->
    [one] One comment rejected.
   *[other] { $count } comments rejected.
}
queue-done-spam = { $count ->
    [one] One comment marked as spam.
   *[other] { $count } comments marked as spam.
}
queue-done-delete = { $count ->
    [one] One comment deleted.
   *[other] { $count } comments deleted.
}
queue-done-dismiss = { $count ->
    [one] Reports on one comment dismissed.
   *[other] Reports on { $count } comments dismissed.
}
queue-done-restore = { $count ->
    [one] Undone: the comment is back where it was.
   *[other] Undone: { $count } comments are back where they were.
}
queue-delete-heading = { $count ->
    [one] Delete the comment
   *[other] Delete { $count } comments
}
queue-delete-message = Deleted comments and their replies are gone for good; only their line in the log stays. Rejecting, by contrast, can be undone.
queue-reports = { $count ->
    [one] one report
   *[other] { $count } reports
}
queue-empty = Nothing to do here.
queue-log = Log
queue-log-empty = No moderation yet.
log-when = When
log-who = Who
log-action = Action
log-comment = Comment
log-system = System
# What the moderation log records: done, in the past tense.
logged-approve = Approved
logged-reject = Rejected
logged-spam = Marked as spam
logged-delete = Deleted
logged-dismiss = Reports dismissed
logged-restore = Undone
action-approve = Approve
action-reject = Reject
action-spam = Spam
action-delete = Delete
action-dismiss = Dismiss reports
flag-off_topic = Off-topic
flag-demeaning = Demeaning
flag-spam = Spam

search-title = Search
search-title-query = Search for “{ $q }”
search-label = Search terms (phrases in quotes)
search-from = From
search-to = To
search-order = Order
search-relevance = Relevance
search-newest = Newest first
search-submit = Search
search-count = { $count ->
    [0] No results
    [one] One result
   *[other] { $count } results
}
search-corrected = Nothing was found for “{ $q }”.
search-corrected-to = Showing results for “{ $corrected }”.
search-none = We found nothing for “{ $q }”.
search-hint = Try other or fewer words, check the spelling, or browse our topics:
search-start = What are you looking for? Enter one or more words.
search-previous = Previous results
search-next = More results
nav-search = Search
nav-jobs = Jobs
jobs-box-heading = Job openings
jobs-none = No job openings at the moment.
jobs-all = All job openings
jobs-heading = Job openings
jobs-count = { $count ->
    [one] One opening
   *[other] { $count } openings
}
jobs-location = Location
jobs-workplace = Workplace
jobs-kind = Kind
jobs-any = Any
jobs-filter = Filter
workplace-remote = Remote
workplace-hybrid = Hybrid
workplace-onsite = On site
kind-full-time = Full-time
kind-part-time = Part-time
kind-working-student = Working student
kind-internship = Internship
kind-professorship = Professorship
kind-freelance = Freelance
kind-other = Other
job-employer = Employer
job-posted = Posted
job-expires = Apply by
job-apply = Apply now
job-title = Title
job-description = Description (Markdown)
job-apply-url = Application link
job-new = New listing
job-edit = Edit listing
job-state = State
job-state-current = online
job-state-expired = expired
job-state-withdrawn = withdrawn
job-state-scheduled = scheduled
job-source = Source
job-actions = Actions
job-withdraw = Withdraw
job-error-posted = The posting date is not valid.
job-error-expires = The expiry date is not valid.
job-import-heading = Partner feed
job-import-feed = Source:
job-import-ok = Last import succeeded
job-import-failed = Last import failed; all listings were kept
job-import-counts = { $created } new, { $updated } updated, { $withdrawn } withdrawn.
job-import-never = No import yet.
job-import-now = Import now
job-import-off = No partner feed configured (jobs.feed_url).
form-error-missing = Please fill in “{ $field }”.
form-error-too-long = “{ $field }” is too long: at most { $max } characters.
form-error-link = The link must be a web address starting with https:// or http://.
form-error-choice = Please choose one of the offered values.
form-error-date = “{ $field }” is not a valid date.
job-error-order = The listing expires before it is posted: please check the dates.
job-field-title = Title
job-field-employer = Employer
job-field-location = Location
job-field-description = Description
job-field-posted = Posted
job-field-expires = Apply by
promotion-error-image = The image must be a path on this site (starting with /).
promotion-error-order = The promotion ends before it starts: please check the dates.
admin-jobs = Jobs
admin-promotions = Promotions
admin-save = Save
cta-heading = Read on and support us
cta-newsletter-label = The best news free by email
cta-support-label = Support us
cta-job-board-label = Current jobs on our job board
setting-promotions-newsletter_url = Newsletter signup address (a path or URL; empty: no entry)
setting-promotions-newsletter_label = Newsletter link text (empty: the usual wording)
cta-home = Go to the home page for current news
promo-book = Book tip
promo-support = Support us
promo-newsletter = Newsletter
# Shown visibly on every paid placement (German law: "Anzeige").
job-sponsored-label = Paid listing (labelled “Advertisement” for readers)
job-source-manual = written here
job-source-feed = partner feed
job-notice-saved = The job listing was saved.
job-notice-withdrawn = The job listing was withdrawn.
promotion-notice-saved = The promotion was saved.
promotion-notice-deleted = The promotion was deleted.
promotion-delete = Delete “{ $title }”
promotion-delete-confirm = Delete the promotion “{ $title }”? It disappears from every page, and its counted clicks go with it.
ad-label = Advertisement
promo-custom = Recommended
slot-sidebar = Sidebar
slot-after_article = After the article
slot-cta = Calls to action
promotion-new = New promotion
promotion-edit = Edit promotion
promotion-title = Title
promotion-text = One line
promotion-url = Link
promotion-image = Image (path on this site, optional)
promotion-kind = Kind
promotion-slot = Slot
promotion-position = Order
promotion-clicks = Clicks
promotion-sponsored = paid
promotion-sponsored-label = Paid or affiliate link: labelled “Advertisement” for readers, and the link carries rel="sponsored"
promotion-from = Active from
promotion-until = Active until
promotion-none = No promotions yet.
promotion-error-number = The order or a date is not valid.

# Email: newsletter, alerts, preferences
newsletter-title = Newsletter
newsletter-intro = The best news from { $site }, free by email: a selection of the most important articles, no ads, and one click to stop it at any time.
newsletter-consent = I want to receive the { $site } newsletter by email. I can withdraw my consent at any time through the link in every email.
newsletter-submit = Subscribe
newsletter-box-heading = The newsletter
newsletter-box-text = The most important news, free by email and without ads. Unsubscribe with one click.
search-placeholder = Search term
newsletter-privacy = We store your address and the time and wording of your consent. Your IP address is stored only as a hash with a salt that changes daily. You can download or erase all of it at any time.
newsletter-back = Back to the newsletter
export-note = All times are UTC. IP addresses are stored only as a salted hash whose salt is deleted after two days.
manage-already = Already signed up? Manage or cancel your subscription
manage-title = Manage your subscription
manage-intro = Want to change what you get from us, or unsubscribe, but cannot find the email with the link? Enter your address and we will send you the link to your settings.
manage-submit = Send me the link
manage-to-newsletter = Not signed up yet? To the newsletter
manage-back = Back to “Manage your subscription”
manage-sent-title = Please check your inbox
manage-sent-text = If this address has a subscription, an email with the link to your settings is on its way. If one came in the last few minutes, we send no other. Please look in your spam folder too.
alert-heading = Get an email about news similar to this
alert-intro = When we publish an article similar to this one, we email you – at most a few a day.
alert-consent = I want { $site } to email me about new articles similar to this one. I can withdraw my consent at any time.
alert-submit = Email me
alert-back = Back to the article
signup-email = Email address
signup-refused-title = Signup not accepted
signup-error-origin = The form was not sent from this website. Please sign up on our site.
signup-error-bot = The form had a field filled in that must stay empty.
signup-error-email = That is not a valid email address. Please check how it is spelled.
signup-error-consent = Please tick the box to give your consent.
signup-error-rate = Very many signups came from your connection just now. Please try again in an hour.
signup-error-too-large = The request was too large.
signup-check-title = Almost done: please check your inbox
signup-check-text = Unless an email from us went to this address in the last few minutes, one is on its way now: with a link to confirm or, if the address is signed up already, with the link to your settings. You get nothing else until you confirm; the link is valid for 7 days. Please look in your spam folder too.
confirm-title = Confirm your signup
confirm-button = Yes, send me these emails
confirm-done-title = Thank you, your signup is confirmed
confirm-done-text = From now on you will get our emails. Your preferences show and change what you receive.
confirm-invalid-title = This link is not valid (any more)
confirm-invalid-text = The confirmation link has expired or is not valid. Please simply sign up again.
confirm-sign-up-again = Sign up again
confirm-already = This signup is already confirmed; there is nothing more to do.
confirm-what-newsletter = Please confirm with one click that { $email } should receive the newsletter of { $site }.
confirm-what-alert = Please confirm with one click that { $email } should be emailed when we publish news like “{ $title }”.
preferences-link = Your email preferences
preferences-title = Your email preferences
preferences-for = Preferences of { $email }
preferences-saved = Your preferences are saved.
preferences-bouncing = Emails to this address failed several times; we no longer send any there.
preferences-legend = What you receive
preferences-newsletter = Newsletter
preferences-alert = News similar to “{ $title }”
preferences-pending = (waiting for your confirmation)
preferences-consent = Consent given on { $date }:
preferences-withdrawn = Unsubscribed on { $date }. Tick the box to receive it again.
preferences-save = Save
preferences-nothing = You have not subscribed to anything.
preferences-data-heading = Your data
preferences-export = Download all stored data (JSON)
preferences-unknown-title = These preferences do not exist
preferences-unknown-text = The link is not valid, or the data of this address has been erased.
erase-confirm = Yes, erase all my data and send no more emails
erase-button = Erase all data
erase-unconfirmed-title = Nothing erased
erase-unconfirmed-text = Please tick the box to confirm the erasure.
erase-done-title = Your data is erased
erase-done-text = We have erased all data of your address. All that is left is a checksum of it made with a secret key, by which we recognise it so that we never write to it again – unless you sign up anew. The address itself is no longer stored.
unsubscribe-title = Unsubscribe
unsubscribe-text = One click stops all our emails to you.
unsubscribe-button = Unsubscribe from all emails
unsubscribed-title = Unsubscribed
unsubscribed-text = You will get no more emails from us. You can undo this in your preferences at any time.
mail-footer = You get this email because you asked us for it.
mail-footer-requested = This email went to this address because it was entered in a form on { $site }.
mail-manage-subject = Your link to your settings at { $site }
mail-manage-intro = You asked { $site } for the link to your settings. There you see and change what you get from us, and can unsubscribe from all of it.
mail-manage-ignore = If you did not ask for it, just delete this email; nothing changes.
mail-welcome-subject-newsletter = Welcome to the { $site } newsletter
mail-welcome-subject-alert = Your alert at { $site } is set up
mail-welcome-intro-newsletter = Thank you for confirming: from now on you get the { $site } newsletter.
mail-welcome-intro-alert = Thank you for confirming: from now on we write to you when { $site } reports on something like “{ $title }”.
mail-welcome-when-daily = It comes every day at about { $hour }:00 when there is news.
mail-welcome-when-weekly = It comes once a week when there is news.
mail-welcome-when-off = It comes when the newsroom sends an issue.
mail-footer-welcome = This email went to this address because it confirmed a subscription at { $site }.
mail-preferences = Preferences
mail-unsubscribe = Unsubscribe
mail-read-on = Read on
mail-confirm-subject-newsletter = Please confirm your subscription to the { $site } newsletter
mail-confirm-subject-alert = Please confirm your { $site } alert
mail-reminder-subject-newsletter = You already get the { $site } newsletter
mail-reminder-subject-alert = Your { $site } alert is already on
mail-confirm-intro-newsletter = Someone – hopefully you – signed this address up for the { $site } newsletter. Please confirm:
mail-confirm-intro-alert = Someone – hopefully you – wants this address to hear about new articles similar to “{ $title }”. Please confirm:
mail-confirm-button = Confirm
mail-confirm-valid = The link is valid for { $days } days.
mail-confirm-ignore = If it was not you, just ignore this email; you will not hear from us again.
mail-reminder-intro-newsletter = This address already gets the { $site } newsletter. Your preferences show and change what you receive.
mail-reminder-intro-alert = This address already hears about articles similar to “{ $title }”. Your preferences show and change what you receive.
mail-alert-subject = New: { $title }
mail-alert-intro = A new article on a subject you follow:
mail-alert-because = You get this because you asked to hear about articles similar to:
mail-alert-summary-subject = { $count } more articles on your subjects
mail-alert-summary-mailing = Alert summaries of { $day }
mail-alert-summary-intro = Yesterday brought more new articles on your subjects than we send in a day. Here are the rest:
mail-digest-subject = { $site } – the most important news of { $date }
mail-digest-intro = The most important articles since the last newsletter:

# Newsletter in the admin area
admin-newsletter = Newsletter
newsletter-admin-subscribers = { $newsletter ->
    [one] One newsletter subscriber
   *[other] { $newsletter } newsletter subscribers
}, { $alerts ->
    [one] one reader with alerts.
   *[other] { $alerts } readers with alerts.
}
newsletter-admin-schedule = Digest: { $digest ->
    [daily] daily at { $hour }:00.
    [weekly] weekly at { $hour }:00.
   *[off] off.
}
newsletter-admin-outbox = Outbox: { $queued } waiting ({ $due } due), { $sent } sent, { $failed } failed, { $dropped } dropped; { $rate } in the last minute.
newsletter-admin-new = New campaign
newsletter-admin-campaigns = Campaigns
newsletter-subject = Subject
newsletter-body = Text (Markdown)
newsletter-save = Save draft
newsletter-preview = Preview
newsletter-test-heading = Test send
newsletter-test-address = To address
newsletter-test-send = Send test
newsletter-send-heading = Send
newsletter-send-button = Send to { $count } subscribers
newsletter-progress = { $done } of { $recipients } done: { $sent } sent, { $failed } failed, { $dropped } dropped, { $queued } waiting.
newsletter-kind-digest = Digest
newsletter-kind-oneoff = Campaign
newsletter-status-draft = draft
newsletter-status-sending = sending
newsletter-none = No campaigns yet.
newsletter-notice-saved = Draft saved.
newsletter-notice-tested = The test copy is on its way.
newsletter-notice-started = Sending has begun.
newsletter-error-subject-empty = Please enter a subject.
newsletter-error-subject-control = The subject must not contain line breaks or control characters.
newsletter-error-subject-long = The subject is too long (200 characters at most).
newsletter-error-body-empty = Please write a text.
newsletter-error-body-long = The text is too long (100,000 characters at most).
newsletter-error-not-draft = This campaign has been sent and can no longer be changed.
newsletter-error-address = That is not a valid email address.
newsletter-status-sent = sent
newsletter-progress-heading = Progress
newsletter-send-confirm = I have checked the test email: send to everyone.
newsletter-send-unconfirmed = Please confirm that you checked the test email before sending.

# Newsroom: articles
admin-articles = Articles
articles-new = New article
articles-search = Title or address contains
articles-any = any
articles-filter = Filter
articles-count = { $count ->
    [one] One article
   *[other] { $count } articles
}
articles-changed = Changed
articles-none = No articles found.
page-previous = Previous
page-next = Next
article-status-draft = draft
article-status-scheduled = scheduled
article-status-published = published
article-status-unpublished = unpublished
article-field-title = Headline
article-field-slug = Address (slug)
article-field-places = Dateline
article-field-lead = Lead
article-field-body = Text
article-field-format = Text format
article-format-markdown = Markdown
article-format-html = HTML
article-format-help = Texts from WordPress or Ghost stay HTML; anything that could run scripts or load from other servers is removed when shown.
article-field-hero = Lead image
article-field-hero-url = Image path on this site
article-field-hero-alt = Alt text
article-field-hero-credit = Credit
article-field-tags = Topics
article-field-authors = Authors
article-field-language = Language
article-field-status = Status
article-field-publish-at = Publication
article-slug-help = Leave empty to make it from the headline. Lowercase letters, digits and hyphens only.
article-list-help = Separate several with commas.
article-publish-help = Date and time in the { $zone } time zone; needed to schedule.
article-save = Save
article-preview = Preview
article-schedule = Schedule
article-publish = Publish now
article-unpublish = Unpublish
article-view = View on the site
article-version = Version { $version }.
article-saved-by = Saved by { $who }.
article-revisions = { $count ->
    [0] No earlier versions
    [one] One earlier version
   *[other] { $count } earlier versions
}
article-notice-saved = Saved.
article-notice-published = Published.
article-notice-scheduled = Scheduled.
article-notice-unpublished = Unpublished: readers no longer see the article.
article-notice-restored = The earlier text is restored (as a new version).
article-conflict-heading = What changed in the meantime
article-error-empty-title = Please enter a headline.
article-error-too-long = { $field } is too long: { $len } characters, at most { $max }.
article-error-too-many = Too many entries in { $field }: { $count }, at most { $max }.
article-error-slug = The address “{ $slug }” will not do: lowercase letters, digits and single hyphens only.
article-error-no-slug = The headline gives no address; please enter one.
article-error-slug-taken = Another article has the address “{ $slug }”; please choose another.
article-error-no-author = An article needs at least one author.
article-error-schedule-time = Please enter the date and time of publication.
article-error-schedule-past = That time is not in the future. Choose a later one or publish now.
article-error-hero-url = The lead image must be on this site (a path starting with /).
article-error-hero-alt = The lead image needs alt text.
article-error-conflict = Someone saved this article while you were editing it. Your text is unchanged in the form; above it you see what the other version changed. If you save now, your version wins.
article-error-invalid = Something is not valid: { $detail }
article-warning-slug = This article is published. If you change its address, the old one redirects to the new one for good (301). Please confirm the change.
article-confirm-slug = Yes, change the address; the old one redirects.
article-revisions-title = Versions
article-revision-version = Version
article-revision-saved = Saved
article-revision-current = current
article-revision-replaced = replaced on
article-revisions-none = No earlier versions yet.
article-revision-heading = From version { $version } to the current version { $current }
article-revision-same = This version is the same as the current one.
article-revision-restore = Restore this text
article-revision-restore-help = The text, image, topics and authors of this version become the new current version; address, status and publication stay.
dashboard-subscribers = newsletter subscribers
dashboard-alerts = readers with alerts
dashboard-upcoming = Scheduled next
dashboard-recent-drafts = Recently edited drafts
dashboard-recent-sends = Recent sends
dashboard-none = Nothing.

# Staff accounts
admin-users = Users
users-role = Role
users-access = Access
users-disabled = disabled
users-invited = invited, no password yet
users-send-link = Send a link for a new password
users-invite = Invite someone
users-invite-button = Send invitation
users-notice-invited = The invitation is on its way.
users-notice-saved = Saved.
users-notice-sent = The link for a new password is on its way.
users-error-email = That is not a valid email address.
users-error-role = Please choose a role.
users-error-exists = There is a user with this address already.
users-error-last-admin = This is the last admin with access; at least one must stay.
account-title = My account
account-current = Current password
account-new = New password
account-new-help = At least 10 characters.
account-repeat = Repeat the new password
account-change = Change password
account-notice-changed = Your password is changed; your other sessions have ended.
account-error-current = The current password is wrong.
account-error-repeat = The two new passwords differ.
account-error-short = The new password is too short: at least 10 characters.
account-error-long = The new password is too long.
password-title = Choose a password
password-for = For { $email }.
password-save = Save password
password-invalid = This link does not work (any more): it expired, was used already or is wrong. Ask an administrator for a new one.
password-notice-set = Your password is saved. Please sign in.
mail-password-subject-invite = Your access to the newsroom of { $site }
mail-password-subject-reset = New password for the newsroom of { $site }
mail-password-intro-invite = You are invited to the newsroom of { $site }, with the role “{ $role }”. Choose your password with this link:
mail-password-intro-reset = A new password was requested for your access to the newsroom of { $site }. Choose it with this link:
mail-password-button = Choose password
mail-password-valid = The link works for { $days } days, and once.
mail-footer-staff = This email came because an administrator of { $site } sent it.
mail-moderation-subject = { $count ->
    [one] One comment waits for approval – { $site }
   *[other] { $count } comments wait for approval – { $site }
}
mail-moderation-intro = { $count ->
    [one] One comment waits
   *[other] { $count } comments wait
} for a decision, the oldest for { $hours ->
    [0] { $minutes } minutes
    [1] an hour
   *[other] { $hours } hours
}.
mail-moderation-button = Open the queue
mail-footer-moderation = This email goes to the moderators and admins of { $site } while comments wait. How long they may wait is in the settings.

# Newsroom: tags and authors
labels-title-tag = Topics
labels-title-author = Authors
labels-new-tag = New topic
labels-new-author = New author
labels-account = Newsroom account
labels-account-none = no account
labels-account-help = Whoever starts a new article with this account is its author from the start.
labels-error-account = There is no such account.
labels-error-account-taken = This account belongs to another author already.
labels-name = Name
labels-address = Address (slug)
labels-bio = Short bio
labels-picture = Picture (path on this site)
labels-picture-help = A path from the picture library, e.g. /media/12/thumb.jpg; leave empty for none.
labels-create = Create
labels-none = None yet.
labels-rename-help = A new address redirects the old one for good (301).
labels-merge = Merge into another topic
labels-merge-into = Merge into
labels-merge-help = Every article of “{ $name }” gets the chosen topic; “{ $name }” goes away and its address redirects.
labels-merge-button = Merge
labels-notice-created = Created.
labels-notice-saved = Saved.
labels-notice-merged = Merged.
labels-error-name = Please enter a name.
labels-error-name-long = The name is too long (at most 80 characters).
labels-error-slug = The address will not do: lowercase letters, digits and single hyphens only.
labels-error-taken = “{ $slug }” is taken. If both mean the same: merge them.
labels-error-bio-long = The bio is too long (at most 2,000 characters).
labels-error-picture = The picture must be on this site (a path starting with /).
labels-error-merge = Please choose the topic to merge into and confirm with the tick.

# Settings
settings-title = Settings
settings-intro = Changes apply at once, without a restart. Everything else (addresses, database, mail server) is in the configuration file.
settings-notice-saved = Saved; the changes apply from now on.
settings-error-some = Some entries will not do; they are marked below. Nothing was saved.
settings-error-long = Too long.
settings-error-url = Enter an address starting with http:// or https://, or leave the field empty.
settings-error-image = Please a path on this site (starting with /) or an https:// address.
settings-error-number = Please a number in the allowed range.
settings-error-choice = Please choose one of the options.
settings-file-value = In the configuration file: { $value }
settings-group-site = Publication
settings-group-comments = Comment rules
settings-group-email = Newsletter
settings-group-promotions = Support and job board
settings-group-discovery = Google News and Bing
setting-site-name = Name
setting-site-description = Description
setting-site-language = Language
setting-site-time_zone = Time zone (e.g. Europe/Berlin)
setting-site-logo_url = Logo (path or address)
setting-site-publisher = Publisher and postal address (shown at the foot of every email)
setting-site-header_menu = Header menu: one “Label | /path” or “Label | https://…” per line (empty: the most used topics)
setting-site-footer_menu = Footer menu: one “Label | /path” per line (empty: the site’s pages; the Impressum is always linked)
settings-error-menu = Each line must read “Label | /path” or “Label | https://…”.
setting-comments-hold_all = Check every comment before it appears
setting-comments-trust_approved_commenters = Let known commenters through without a check
setting-comments-close_after_days = Close comments after days (0: never)
setting-comments-remind_moderators_after_minutes = Remind moderators by mail when a comment has waited this many minutes (0: never)
setting-comments-max_links = Most links per comment
setting-comments-max_length = Longest comment (characters)
setting-comments-hold_words = Words that hold a comment for checking (one per line)
setting-comments-reject_words = Words that reject a comment (one per line)
setting-email-digest = Digest
setting-email-digest_hour = Hour of sending (0–23)
setting-email-digest_weekday = Weekday of a weekly digest (1 = Monday)
setting-email-digest_articles = Articles per digest
setting-promotions-support_url = Support address
setting-promotions-support_label = Text of the support link
setting-promotions-job_board_url = Job board address
setting-promotions-job_board_label = Text of the job board link
setting-discovery-google_news_url = The publication's Google News page
setting-discovery-bing_news_url = The publication's Bing News page
setting-option-de = Deutsch
setting-option-en = English
setting-option-daily = daily
setting-option-weekly = weekly
setting-option-off = off

# Media
admin-media = Pictures
media-upload = Upload a picture
media-file = File
media-file-help = JPEG, PNG, WebP or GIF, at most { $mib } MiB.
media-alt = Alt text
media-alt-help = What the picture shows, for people who cannot see it. Required.
media-credit = Credit
media-upload-button = Upload
media-library = Library
media-uses = { $count ->
    [0] not used anywhere
    [one] used once
   *[other] used { $count } times
}
media-edit = Change the description or delete
media-notice-described = Description saved. Articles that show the picture already keep their own alternative text.
media-notice-deleted = Picture deleted.
media-error-in-use = The picture is still in use and cannot be deleted.
media-delete-heading = Delete the picture
media-delete-message = The picture “{ $alt }” and all its sizes are deleted for good. Nothing uses it.
media-none = No pictures yet.
media-notice-uploaded = Uploaded. The path for an article is below, with the picture.
media-notice-known = This picture is in the library already.
media-error-empty = Please choose a file.
media-error-large = The file is too large.
media-error-type = This is not a picture in one of the allowed formats (JPEG, PNG, WebP, GIF), whatever the file is called.
media-error-pixels = The picture is too large (at most 12,000 pixels a side).
media-error-broken = The file cannot be read as a picture; it is damaged or incomplete.
media-error-alt = Please describe the picture in the alt text.
media-error-alt-long = The alt text is too long (at most 500 characters).
article-hero-help = A path on this site, e.g. from the picture library:
article-session-ended-title = Your session has ended
article-session-ended-text = Nothing was saved. Your text is below: copy it, sign in again in the new tab, open the article and paste it there.
article-session-ended-login = Sign in in a new tab
article-error-schedule-live = This article is online. Scheduling would make it disappear until the new time; unpublish it first if you want that.
article-error-date-future = A published article cannot have a date in the future. Unpublish it and schedule it anew.
article-error-unpublish-confirm = Please confirm unpublishing with the tick.
article-unpublish-confirm = Yes, readers should no longer see the article.

labels-slug-help = Leave empty to make it from the name. Lowercase letters, digits and hyphens only.

labels-merge-choose = – please choose –

labels-merge-confirm = Yes, merge “{ $name }”; this cannot be undone.
settings-error-config = Not valid ({ $detail }).
users-error-disabled = This account is disabled; enable it first, then a link for a new password can be sent.
article-error-hero-missing = There is no such picture in the library; choose a path from the list.

models-title = Assessment model
models-intro = Every comment is scored by word lists, spam rules and a trained model. The model learns from your moderators: each approval counts as a fine comment, each rejection as a demeaning one (unless the comment was flagged only as off-topic), each “spam” as spam. Train a new model from these decisions, compare it with the one in use on decisions it never saw, and switch; switching back is one click. Nothing leaves this server.
models-in-use = In use
models-file = The model file { $file } named in the configuration (comments.model_file). Remove that setting to use the built-in model or a model trained here.
models-site-in-use = Model #{ $id }, trained on this site's decisions.
models-built-in-in-use = The built-in model, trained on { $trained_on }.
models-use-built-in = Go back to the built-in model
models-calibration = What a demeaning score means
models-calibration-intro = Measured on 1,002 German comments the built-in model never saw (GermEval 2018): of the comments scoring at least this much, this share were demeaning.
models-score = Score
models-precision = Demeaning
models-flagged = Comments
models-retrain = Train a new model
models-decisions = { $total } decisions to learn from: { $fine } approved, { $bad } rejected or spam. Deleted comments are not kept and not counted.
models-need = At least { $min } decisions are needed, with { $each } of each kind.
models-retrain-button = Train a new model from these decisions
models-site = Models trained here
models-site-caption = Figures on every fifth decision, held out from training: precision and recall of the flag with the model in use (before) and with the new one (after).
models-model = Model
models-state = State
models-decisions-column = Decisions
models-before-after = before → after
models-actions = Actions
models-state-training = training
models-state-ready = ready
models-state-failed = failed
models-split = { $train } learned, { $held_out } held out
models-figures = precision { $precision }, recall { $recall }
models-in-use-mark = in use
models-use = Use model #{ $id }
models-reload = Reload to see the progress
models-none = No model has been trained here yet.
models-notice-queued = Training started. It runs in the background; this page shows its progress.
models-notice-switched = Model switched. Every new comment is assessed with it.
models-error-too-few = Too few decisions to learn from: { $total } ({ $fine } approved, { $bad } rejected or spam). At least { $min } are needed, with { $each } of each kind. The current model stays.
models-error-busy = Model #{ $id } is still being trained; wait for it to finish.

# The site's own pages (issue 22).
admin-pages = Pages
pages-intro = Pages that are not news: the Impressum, the privacy notice, about us. Each has its own address and is linked in the footer of every page; none appears in feeds, the news sitemap, search or article lists.
pages-none = No pages yet.
page-new = New page
page-edit = Edit page
page-field-title = Title
page-field-slug = Address
page-field-body = Text (Markdown)
page-field-role = Role
page-slug-help = Lowercase letters, digits and hyphens; the page is then at /address. Empty: made from the title.
page-role-none = none
page-role-imprint = Impressum (legal notice)
page-role-privacy = Privacy notice
page-role-help = The Impressum is linked in the footer of every page and every email. Each role belongs to one page.
page-state = State
page-published = published
page-draft = draft
page-published-label = Published (otherwise visible only here)
page-updated = Last changed on
page-notice-saved = The page was saved.
page-notice-deleted = The page was deleted.
page-delete = Delete “{ $title }”
page-delete-confirm = Delete the page “{ $title }”? This cannot be undone, and links to its address will lead nowhere.
page-error-slug = The address may contain only lowercase letters, digits and single hyphens.
page-error-reserved = The address /{ $slug } belongs to the site itself. Please choose another.
page-error-taken = Another page is already at /{ $slug }.
action-cancel = Cancel
nav-footer = About this site
mail-imprint = Impressum (legal notice)
dashboard-imprint-missing = There is no Impressum yet. A German news site needs one, one click away from every page.
dashboard-imprint-write = Write the Impressum

# Why the assessment scored a comment as it did (shown in the moderation queue).
reason-other-language = Written in { $comment ->
    [de] German
   *[en] English
}, the article in { $article ->
    [de] German
   *[en] English
}: not compared
reason-too-short = Too short to judge
reason-nothing-shared = { $count ->
    [one] Its one distinctive word is not in the article
   *[other] None of its { $count } distinctive words is in the article
}
reason-shared = { $percent }% similar to the article, sharing { $words }
reason-shared-meaning = { $percent }% similar to the article in meaning (through translations or words of the same sense), sharing { $words }
reason-attack = Attacks a person: { $words }
reason-demeaning-word = { $kind ->
    [slur] Slur against a group
    [dehumanising] Dehumanising word
   *[insult] Insult
}: { $words }
reason-quoted = { $kind ->
    [slur] Slur
    [dehumanising] Dehumanising word
   *[insult] Insult
} in quotation marks (quoted): { $words }
reason-self-aimed = { $kind ->
    [slur] Slur
    [dehumanising] Dehumanising word
   *[insult] Insult
} aimed at the writer: { $words }
reason-shouting = Mostly capital letters
reason-model = The model estimates { $percent }%
reason-model-words = The model estimates { $percent }%, mainly because of { $words }
reason-hidden-address = An address spelt out to hide it: { $host }
reason-links = { $count ->
    [one] A link
   *[other] { $count } links
}
reason-shortened-link = A shortened link that hides where it goes: { $host }
reason-risky-domain = An address under a domain used mostly for spam: { $host }
reason-spam-phrase = A typical spam phrase: { $words }
reason-repeat = Repeats an earlier comment
reason-repeats-itself = Repeats itself
reason-call-to-action = Asks readers to click a link
reason-percent-offer = A discount or guarantee in percent
reason-price-link = A price with a link
reason-phone = A phone number: { $words }
reason-handle = A messenger handle to write to: { $words }
reason-messenger = Asks to be contacted on a messenger
reason-email-address = An email address to write to: { $words }
reason-earnings = Promises earnings for little work
reason-recovery = Offers to recover lost money or crypto
reason-private-contact = Asks readers to get in touch privately
reason-exclamations = Many exclamation marks
reason-honeypot = Filled in the hidden trap field
reason-too-fast = Sent { $seconds ->
    [one] one second
   *[other] { $seconds } seconds
} after the page was shown
reason-imported = Imported from WordPress

# Newsroom: subscribers
subscribers-title = Subscribers
subscribers-search = Address contains
subscribers-count = { $count ->
    [one] One address
   *[other] { $count } addresses
}
subscribers-export = Export newsletter subscribers as CSV
subscribers-alerts = Alerts
subscribers-since = Since
subscribers-source = Form
subscribers-bouncing = bouncing
subscribers-none = No address found.
subscribers-status-active = active
subscribers-status-pending = unconfirmed
subscribers-status-off = unsubscribed
import-heading = Import a list
import-intro = A CSV file with one address per line in the first column (comma or semicolon, at most { $lines } lines, UTF-8). Whoever unsubscribed or was erased here stays out; whoever is subscribed already stays as they are.
import-file = CSV file
import-consent-legend = Consent
import-consent-double = Every address gets a confirmation email and receives the newsletter only once confirmed (recommended)
import-consent-given = The readers agreed elsewhere already: active at once
import-statement = Where and how did they agree?
import-statement-hint = Stored with every address as its consent, for example “Newsletter signup on the old website with double opt-in, 2019–2026”. Required when the addresses become active at once.
import-submit = Import
import-consent-record = { $statement } (imported by { $who })
import-report-heading = Import finished
import-report-added = { $count ->
    [one] One address added.
   *[other] { $count } addresses added.
}
import-report-confirmations = { $count ->
    [one] One confirmation email is going out.
   *[other] { $count } confirmation emails are going out.
}
import-report-already = { $count ->
    [one] One address was subscribed already and stays as it is.
   *[other] { $count } addresses were subscribed already and stay as they are.
}
import-report-duplicates = { $count ->
    [one] One address was in the file twice.
   *[other] { $count } addresses were in the file twice.
}
import-report-kept-out = { $count ->
    [one] One address unsubscribed or was erased here and was not added.
   *[other] { $count } addresses unsubscribed or were erased here and were not added.
}
import-report-lines = Lines:
import-report-invalid = { $count ->
    [one] One line holds no valid address:
   *[other] { $count } lines hold no valid address:
}
import-report-line = Line { $line }
import-error-file = Please choose a CSV file with at least one address.
import-error-encoding = The file is not saved as UTF-8. Please save it as “CSV UTF-8”.
import-error-lines = The file has too many lines. Please split it.
import-error-too-large = The file is too large. Please split it.
import-error-consent = Please choose how the readers agreed.
import-error-statement = Please write where and how the readers agreed (at least 10 characters).

# Newsroom: article preview and pre-publish check
preview-title = Preview: { $title }
preview-banner = Preview.
preview-banner-text = This is how readers will see the article once it is out. This page is not public.
preview-refused-text = Close this tab, fix it in the editor and show the preview again.
check-heading-publish = Before publishing
check-heading-schedule = Before scheduling
check-missing = The article lacks what readers and search engines expect:
check-complete = Lead image with alternative text, lead and topics are there.
check-no-hero = a lead image (the home page, feeds and shared links show none otherwise)
check-no-hero-alt = an alternative text for the lead image
check-no-lead = a lead
check-no-tags = at least one topic
check-no-image-alt = an alternative text for every image in the text (![description](…))
check-alerts = { $count ->
    [0] No alert goes out: nobody asked for articles like this one.
    [one] One reader gets an alert by email.
   *[other] { $count } readers get an alert by email.
}
check-go-publish = Publish now
check-go-schedule = Schedule now
check-or-fix = or complete it below and choose again.
article-error-new-author = { $count ->
    [one] There is no author { $names } yet. Choose from the list, or create them on purpose.
   *[other] These authors do not exist yet: { $names }. Choose from the list, or create them on purpose.
}
article-create-authors = Yes, create them (each with a public author page)
picker-summary = Choose a picture from the library
picker-help = A picture chosen becomes the lead image when saved, with its alternative text and credit. For a picture in the text, copy the line beside it into the text.
picker-keep = Keep the picture in the field above
autosave-kept = An automatically kept version is newer than the saved one, from
autosave-restore = Restore that version
autosave-saved = Kept automatically at
autosave-failed = Keeping automatically is not possible just now; please save yourself.
article-field-hero-upload = Or upload a new picture
article-hero-upload-help = It goes into the library and becomes the lead image when saved, with the alternative text and credit below (the alternative text is then required).

# The Content API's keys (/admin/integrations)
integrations-title = Integrations
integrations-intro = Programs read published articles, tags, authors, approved comments and job listings as JSON with a key from this page. The API and its description:
integration-keys = API keys
integration-name = Name
integration-key = Key
integration-origins = Web origins
integration-origins-label = Web origins that may use the key from a browser, one per line (for example https://example.org; * for any; empty for none)
integration-rate = Requests a minute
integration-created = Made
integration-used = Last used
integration-none = No keys yet.
integration-new = New key
integration-create = Make the key
integration-made = The key “{ $name }” was made. Copy it now: it is shown only this once.
integration-revoked = revoked on { $date }
integration-revoke-button = Revoke
integration-revoke = Revoke “{ $name }”
integration-revoke-confirm = Revoke the key “{ $name }”? Programs that use it are refused from now on. This cannot be undone.
integration-notice-revoked = The key was revoked.
integration-error-name = Give the key a name of at most 80 characters.
integration-error-origin = Each web origin must look like https://example.org (no path), or be *; at most 20.
integration-error-rate = Requests a minute must be a number from 1 to 100000.

# Webhooks (/admin/integrations)
webhooks-title = Webhooks
webhooks-intro = A webhook is an address on another server that is sent a signed JSON POST when something happens here. A receiver that fails is tried again, with growing pauses, for about four hours.
webhooks-back = Back to integrations
webhook-url = Address (URL)
webhook-events = Events
webhook-last = Last delivery
webhook-open = Deliveries and secret
webhook-none = No webhooks yet.
webhook-new = New webhook
webhook-create = Register the webhook
webhook-title = Webhook
webhook-secret = Secret
webhook-signing = Each delivery carries the headers Newsdesk-Event, Newsdesk-Delivery (the same on every attempt) and Newsdesk-Signature: t=TIME,v1=HMAC, where HMAC is the hex HMAC-SHA256 of “TIME.BODY” under the secret. Compare it (after a roll there is a second v1= for a day: accept the delivery if either matches), and refuse times older than five minutes.
webhook-ping = Send a test event
webhook-deliveries = Last deliveries (at most { $count })
webhook-time = Time
webhook-event = Event
webhook-status = Answer
webhook-duration = Took
webhook-delivery = Delivery
webhook-failed = failed
webhook-no-answer = no answer
webhook-no-deliveries = Nothing delivered yet.
webhook-delete-button = Remove the webhook
webhook-delete = Remove the webhook
webhook-delete-confirm = Remove the webhook to { $url }? Nothing more is sent to it, and its deliveries are forgotten.
webhook-notice-saved = The webhook was registered. Give its secret to the receiver.
webhook-notice-changed = The webhook's address and events were saved; its secret is the same.
webhook-change = Address and events
webhook-save = Save address and events
webhook-resend = Send again
webhook-notice-resent = The delivery is on its way again, with the same Newsdesk-Delivery and a fresh signature; reload the page to see the answer.
webhook-roll = Roll the secret
webhook-roll-help = A new secret signs every delivery; the current one signs beside it for a day, so the receiver can switch without refusing any.
webhook-rolling = Until { $until }, deliveries also carry a second v1= signature under the secret this one replaced.
webhook-notice-rolled = The secret was rolled. Give the new one to the receiver within a day.
webhook-notice-sent = A test event is on its way; reload the page to see the answer.
integration-notice-deleted = The webhook was removed.
webhook-error-url = The address must be an http or https URL of at most 2000 characters.
webhook-error-events = Choose at least one event.
webhook-error-private = { $host } is a loopback, private or link-local address, which this server may not send to. The operator can allow it under [outgoing] in the configuration.
webhook-error-unreachable = The address cannot be reached: { $error }
webhook-error-many = A site can have at most { $count } webhooks.

## The social web (ActivityPub)
social-title = Social web
social-intro = Readers follow the publication from Mastodon and other ActivityPub servers as
social-off = The publication is not on the social web: [activitypub] enabled is false in the configuration.
social-followers = { $count ->
    [one] One follower
   *[other] { $count } followers
}
social-account = Account
social-name = Name
social-since = Since
social-no-followers = No one follows yet.
social-reactions = Most liked and boosted
social-article = Article
social-likes = Likes
social-boosts = Boosts
social-no-reactions = No likes or boosts yet.
social-blocks = Blocked
social-blocks-intro = A blocked account or server cannot follow, reply, like or boost; its requests are refused and nothing is delivered to it.
social-blocked = Account or server
social-kind = Kind
social-kind-account = Account
social-kind-domain = Server
social-unblock = Unblock
social-no-blocks = Nothing is blocked.
social-block-label = Account (@user@server) or server (server.example)
social-block = Block
social-block-error = Give an account as @user@server or a server as server.example.
social-notice-saved = Blocked.
social-notice-deleted = The block was lifted.
comment-from-social = from the social web

## Analytics (/admin/analytics)
analytics-title = Analytics
analytics-intro = What readers read, counted on this server: no cookies, no scripts, no other services. Crawlers are counted apart; no reader can be told from these figures.
analytics-off = Counting is switched off ([analytics] enabled = false): the figures end where it was switched off.
analytics-periods = Period
analytics-period-day = Last 24 hours
analytics-period-week = Last 7 days
analytics-period-month = Last 30 days
analytics-period-year = Last 12 months
analytics-range-from = From
analytics-range-to = To
analytics-range-show = Show these days
analytics-views-chart-range = Page views per day, { $first } to { $last }
analytics-views = Page views
analytics-visitors = Visitors
analytics-bots = Crawler requests (not counted as views)
analytics-visitors-hint = Visitors are estimated per day (within about 2 %) without storing anything that identifies them; over several days they are the sum of the days, so a reader who came back is counted each day.
analytics-views-over-time = Page views over time
analytics-views-chart-day = Page views per hour, last 24 hours
analytics-views-chart-week = Page views per day, last 7 days
analytics-views-chart-month = Page views per day, last 30 days
analytics-views-chart-year = Page views per month, last 12 months
analytics-chart-summary = { $total } in all; most: { $max } ({ $label }).
analytics-as-table = As a table
analytics-when = When
analytics-csv = Download as CSV
analytics-top-articles = Most read articles
analytics-deleted-article = Deleted article (no. { $id })
analytics-nothing = Nothing counted in this period.
analytics-top-pages = Most visited pages
analytics-address = Address
analytics-sources = Where readers came from
analytics-source = Source
analytics-referrers = Referring sites
analytics-referrer = Site
analytics-medium-search = Search engines
analytics-medium-social = Social networks and messengers
analytics-medium-newsletter = Newsletter and mail
analytics-medium-link = Other websites
analytics-medium-internal = This site's own pages
analytics-medium-direct = Direct (no referrer)
analytics-devices = Devices
analytics-device = Device
analytics-device-desktop = Desktop
analytics-device-mobile = Phone
analytics-device-tablet = Tablet
analytics-device-bot = Crawler
analytics-searches = Searches
analytics-searches-hint = Only searches made at least { $k } times in this period are listed: a rarer one might say who searched.
analytics-search = Search
analytics-search-count = Searches
analytics-found-nothing = Found nothing
analytics-empty-searches = Searches that found nothing
analytics-article-title = Readers of “{ $title }”
analytics-published = Published
analytics-edit-article = Edit the article
analytics-read-article = Read it on the site
analytics-first-hours = Page views in its first 72 hours
analytics-by-day = Page views per day since publication
analytics-day-n = Day { $n }
analytics-article-views = { $views ->
    [one] One page view
   *[other] { $views } page views
} so far.
analytics-article-details = Readers over time
analytics-mail = Newsletter and alerts
analytics-mail-hint = Counted per mailing, never per reader: every reader of a mailing gets the same links. Clicks are counted when a link is followed through this site; crawlers and link scanners that name themselves are left out. Unsubscribes count readers who left through the mailing's own link.
analytics-mailing = Mailing
analytics-mailing-sent = Sent
analytics-mailing-campaign = newsletter
analytics-mailing-alert = alerts
analytics-mailing-alert_summary = alert summaries
analytics-delivered = Delivered
analytics-bounced = Bounced
analytics-failed = Failed
analytics-unsubscribes = Unsubscribed
analytics-clicks = Clicks
analytics-links = Links followed most
analytics-link = Link
newsletter-performance = How it did
newsletter-links-caption = Clicks on each link
