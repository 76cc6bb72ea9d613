//! The browser matrix's application (lib/app.js) for the Rust servers, framework-neutral:
//! the axum example (core/examples/browser_axum.rs) and the actix-web one
//! (actix/examples/browser_actix.rs) include this file and translate its answer.
//!   GET  …/cookie/set      sets the cookie `sid=<server>` (SameSite=Lax, HttpOnly)
//!   ANY  …/status/<NNN>    answers with status NNN
//!   ANY  anything else     answers 200
//! Every answer is JSON {method, path, cookie} with X-Request-Id, X-Internal and X-Cookie;
//! `?appcors=1` adds the app's own `Access-Control-Allow-Origin: *`.

/// The application's answer: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// The `sid` cookie of a Cookie header.
fn sid(cookie: Option<&str>) -> Option<&str> {
    cookie?
        .split(';')
        .filter_map(|part| part.trim().split_once('='))
        .find(|(k, _)| *k == "sid")
        .map(|(_, v)| v)
}

/// What the app of server `name` answers.
pub fn answer(name: &str, method: &str, path: &str, query: &str, cookie: Option<&str>) -> Answer {
    if path.ends_with("/cookie/set") {
        return Answer {
            status: 200,
            headers: vec![
                ("content-type", "text/plain".into()),
                (
                    "set-cookie",
                    format!("sid={name}; Path=/; SameSite=Lax; HttpOnly"),
                ),
            ],
            body: "cookie set\n".into(),
        };
    }
    let status = path
        .rsplit_once("/status/")
        .and_then(|(_, n)| n.parse::<u16>().ok())
        .filter(|n| (100..=599).contains(n))
        .unwrap_or(200);
    let cookie = sid(cookie);
    let mut headers = vec![
        ("content-type", "application/json".to_string()),
        ("x-request-id", "req-42".into()),
        ("x-internal", "hidden".into()),
        ("x-cookie", cookie.unwrap_or("").into()),
    ];
    if query.split('&').any(|kv| kv == "appcors=1") {
        headers.push(("access-control-allow-origin", "*".into()));
    }
    let body = serde_json::json!({ "method": method, "path": path, "cookie": cookie });
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}
