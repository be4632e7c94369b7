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
tags = Tags

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
comments-policy = Every comment is checked before it appears. We delete comments that are off-topic or only aim to demean readers or authors. Please write as respectfully as if we sat together at one table.
comments-none = No comments yet. Write the first one.
comments-closed = Comments on this article are closed.
comment-by = Comment by { $name }
comment-report = Report
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
comment-error-flood = You have just commented. Please wait a moment before sending the next comment.
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
login-error-throttled = Too many failed sign-ins. Please try again in a quarter of an hour.
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
queue-reply = Reply
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
cta-home = Go to the home page for current news
promo-book = Book tip
promo-support = Support us
promo-newsletter = Newsletter
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
promotion-sponsored-label = Paid or affiliate link (rel="sponsored")
promotion-from = Active from
promotion-until = Active until
promotion-none = No promotions yet.
promotion-error-number = The order or a date is not valid.
