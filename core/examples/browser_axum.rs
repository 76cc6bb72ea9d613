//! The browser matrix's axum 0.8 server (tests/browser): `corsgate::tower::CorsLayer` in
//! front of the shared application.
//!   cargo run -p corsgate --features tower --example browser_axum -- <policy file> <port>
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../tests/browser/servers/app.rs"]
mod app;

use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use corsgate::tower::CorsLayer;

async fn handle(req: Request) -> Response {
    let cookie = req.headers().get("cookie").and_then(|v| v.to_str().ok());
    let uri = req.uri();
    let a = app::answer(
        "axum",
        req.method().as_str(),
        uri.path(),
        uri.query().unwrap_or(""),
        cookie,
    );
    let mut response = Response::builder().status(a.status);
    for (name, value) in a.headers {
        response = response.header(name, value);
    }
    response.body(a.body.into()).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (policy, port) = (&args[1], &args[2]);
    let policy = corsgate::Policy::from_file(policy).unwrap_or_else(|e| panic!("{e}"));
    let app = Router::new().fallback(handle).layer(CorsLayer::new(policy));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port.parse::<u16>().unwrap()))
            .await
            .unwrap();
        println!("listening on http://127.0.0.1:{port}");
        axum::serve(listener, app).await.unwrap();
    });
}
