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
