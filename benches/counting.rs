//! What counting one page view costs, for BENCHMARKS.md: `cargo bench --bench counting`.
//!
//! Builds the request headers as a reader's browser sends them (four User-Agents, four
//! referrers: a search engine, a social network, none, another site, in turn), takes what
//! counting needs of them (`Seen::of`, as the request middleware does) and counts the answered
//! cached article page (`Counter::count`), a million times on one thread with the day's salt
//! loaded so each view's visitor is hashed into the sketch. Prints the time per view, to set
//! beside the server's time per cached page.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use newsdesk::analytics::{Answer, Counter, Seen, Settings};

const AGENTS: [&str; 4] = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
];
const REFERRERS: [&str; 4] = ["https://www.google.de/", "https://t.co/abc", "", "https://blog.example.net/post/1"];
const VIEWS: u32 = 1_000_000;

fn main() {
    let zone = jiff::tz::TimeZone::UTC;
    let settings = Settings {
        enabled: true,
        respect_do_not_track: true,
        own_host: "zeitung.example".into(),
        time_zone: zone.clone(),
        behind_proxy: false,
    };
    let counter = Counter::new(settings);
    let now = 1_796_600_000;
    let day = newsdesk::analytics::Day::of(now, &zone);
    counter.set_salts(HashMap::from([(day.start, [7; 16])]));
    let uri: Uri = "/news/pflegeroboter-im-praxistest-augsburg".parse().expect("a path");
    let requests: Vec<HeaderMap> = (0..16)
        .map(|n| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static("zeitung.example"));
            headers.insert(header::USER_AGENT, HeaderValue::from_static(AGENTS[n % 4]));
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip"));
            if !REFERRERS[n / 4].is_empty() {
                headers.insert(header::REFERER, HeaderValue::from_static(REFERRERS[n / 4]));
            }
            headers
        })
        .collect();
    let answer = Answer { status: StatusCode::OK, page: true, html: true, facts: None };
    for round in 1..=3 {
        let started = Instant::now();
        for n in 0..VIEWS {
            let client = IpAddr::from([198, 51, (n >> 8) as u8, n as u8]);
            let seen = Seen::of(&requests[n as usize % requests.len()], Some(client));
            counter.count(&uri, seen, answer, now);
        }
        let elapsed = started.elapsed();
        println!(
            "round {round}: {VIEWS} views counted in {:.0} ms, {:.0} ns per view",
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_secs_f64() * 1e9 / f64::from(VIEWS)
        );
    }
    let batch = counter.take();
    println!("counted: {} views by device", batch.devices.values().sum::<u64>());
}
