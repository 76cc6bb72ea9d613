//! The browser matrix's actix-web 4 server (tests/browser): `corsgate_actix::Cors` in front of
//! the shared application.
//!   cargo run -p corsgate-actix --example browser_actix -- <policy file> <port>
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../tests/browser/servers/app.rs"]
mod app;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

async fn handle(req: HttpRequest) -> HttpResponse {
    let cookie = req.headers().get("cookie").and_then(|v| v.to_str().ok());
    let a = app::answer(
        "actix",
        req.method().as_str(),
        req.path(),
        req.query_string(),
        cookie,
    );
    let mut response = HttpResponse::build(StatusCode::from_u16(a.status).unwrap());
    for (name, value) in a.headers {
        response.append_header((name, value));
    }
    response.body(a.body)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (policy, port) = (args[1].clone(), args[2].parse::<u16>().unwrap());
    let cors = corsgate_actix::Cors::from_policy(
        corsgate::Policy::from_file(&policy).unwrap_or_else(|e| panic!("{e}")),
    );
    actix_rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .wrap(cors.clone())
                .default_service(web::to(handle))
        })
        .workers(1)
        .bind(("127.0.0.1", port))?;
        println!("listening on http://127.0.0.1:{port}");
        server.run().await
    })
}
