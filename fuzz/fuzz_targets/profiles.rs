//! The express and starlette profiles: configurations and requests built from arbitrary
//! bytes. Compiling and evaluating must never panic, and every header value emitted must be
//! one a response can carry (no CR, LF or NUL) when the request's values were.
#![no_main]

use corsgate::express::{
    ExpressConfig, ExpressOrigin, ExpressPolicy, ExpressRequest, ListOption, OriginAnswer,
};
use corsgate::starlette::{StarletteConfig, StarlettePolicy};
use corsgate::Request;
use libfuzzer_sys::fuzz_target;

fn safe(value: &str) -> bool {
    !value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
}

fn list(field: &str) -> Vec<String> {
    field
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // Fields: origins, methods, headers, expose, max_age, then the request's method, origin,
    // ACRM, ACRH, existing Vary.
    let f: Vec<&str> = text.split('\u{0}').collect();
    let at = |i: usize| f.get(i).copied().unwrap_or("");
    let request_safe = (5..10).all(|i| safe(at(i)));

    let origin = match selector % 5 {
        0 => ExpressOrigin::Any,
        1 => ExpressOrigin::Fixed(at(0).to_owned()),
        2 => ExpressOrigin::Reflect,
        3 => ExpressOrigin::Disabled,
        _ => ExpressOrigin::Dynamic,
    };
    let express = ExpressConfig {
        origin,
        methods: Some(ListOption::Text(at(1).to_owned())),
        allowed_headers: (selector & 0x10 != 0).then(|| ListOption::List(list(at(2)))),
        exposed_headers: Some(ListOption::List(list(at(3)))),
        credentials: selector & 0x20 != 0,
        max_age: (!at(4).is_empty()).then(|| at(4).to_owned()),
        preflight_continue: selector & 0x40 != 0,
        options_success_status: at(4).parse().ok(),
        ..ExpressConfig::default()
    };
    if let Ok(p) = ExpressPolicy::compile(&express) {
        let mut req = ExpressRequest::new(at(5))
            .origin((!at(6).is_empty()).then(|| at(6)))
            .request_headers((!at(8).is_empty()).then(|| at(8)))
            .vary(at(9));
        if p.is_dynamic() {
            req = req.answer(if selector & 0x80 != 0 {
                OriginAnswer::Verdict(true)
            } else {
                OriginAnswer::Value(at(0))
            });
        }
        let d = p.evaluate(&req);
        for (name, value) in d.headers() {
            assert!(!name.is_empty());
            assert!(
                !request_safe || !safe(at(0)) || safe(value),
                "{name}: {value:?}"
            );
        }
    }

    let starlette = StarletteConfig {
        allow_origins: list(at(0)),
        allow_methods: list(at(1)),
        allow_headers: list(at(2)),
        allow_credentials: selector & 0x20 != 0,
        allow_origin_regex: (selector & 0x10 != 0).then(|| at(3).to_owned()),
        allow_private_network: selector & 0x40 != 0,
        expose_headers: list(at(3)),
        max_age: at(4).parse().unwrap_or(600),
    };
    if let Ok(p) = StarlettePolicy::compile(&starlette) {
        let req = Request::new(at(5).as_bytes(), b"/")
            .header(b"Origin", at(6).as_bytes())
            .header(b"Access-Control-Request-Method", at(7).as_bytes())
            .header(b"Access-Control-Request-Headers", at(8).as_bytes());
        let d = p.evaluate(&req);
        assert_eq!(d.is_allowed(), d.reason().is_none());
        for (_, value) in d.headers() {
            assert!(!request_safe || safe(value), "{value:?}");
        }
        if let Some(r) = d.reason() {
            let _ = r.message().to_string();
        }
    }
});
