//! What operators rely on: health, readiness, metrics, headers, request ids, TLS settings,
//! graceful shutdown and a harmless demo reload.

use crate::support::{TestApp, on_both};
use academy_store::Backend;
use reqwest::StatusCode;

on_both!(
    slow_and_silent_clients_are_closed,
    connections_are_limited,
    health_readiness_and_metrics,
    metrics_can_require_a_token,
    every_response_carries_the_security_headers,
    behind_tls_cookies_are_secure_and_host_bound,
    shutdown_is_graceful_and_the_demo_loads_once,
);

async fn health_readiness_and_metrics(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.client();
    assert_eq!(client.get(app.url("/healthz")).send().await.expect("get").text().await.expect("body"), "ok");
    let ready = client.get(app.url("/readyz")).send().await.expect("get");
    assert_eq!(ready.status(), StatusCode::OK);
    client.get(app.url("/sign-in")).send().await.expect("get");
    let metrics = client.get(app.url("/metrics")).send().await.expect("get").text().await.expect("body");
    assert!(metrics.contains("http_requests_total{method=\"GET\",route=\"/sign-in\",status=\"200\"}"), "{metrics}");
    assert!(metrics.contains("http_request_duration_seconds_bucket"), "latency histogram present");
    assert!(metrics.contains("db_pool_connections"));
    app.server().store.close().await;
    let down = client.get(app.url("/readyz")).send().await.expect("get");
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE, "readiness follows the database");
    app.stop().await;
}

async fn metrics_can_require_a_token(backend: Backend) {
    let token = "scrape-token-0123456789";
    let app = TestApp::start_with(backend, |c| c.metrics_token = Some(token.into())).await;
    let client = app.client();
    let refused = client.get(app.url("/metrics")).send().await.expect("get");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused.headers().get("www-authenticate").is_some_and(|v| v.to_str().unwrap_or_default().starts_with("Bearer"))
    );
    let wrong = client.get(app.url("/metrics")).bearer_auth("scrape-token-0123456780").send().await.expect("get");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let lower = client.get(app.url("/metrics")).header("authorization", format!("bearer {token}")).send().await;
    assert_eq!(lower.expect("get").status(), StatusCode::OK, "the scheme is case-insensitive");
    let allowed = client.get(app.url("/metrics")).bearer_auth(token).send().await.expect("get");
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(allowed.text().await.expect("body").contains("db_pool_connections"));
    app.stop().await;
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.client();
    for path in ["/sign-in", "/no/such/page", "/api/v1/me", "/static/academy.css"] {
        let response = client.get(app.url(path)).header("x-request-id", "req-abc-123").send().await.expect("get");
        let h = response.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"), "{path}");
        assert_eq!(h.get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"), "{path}");
        assert_eq!(h.get("x-request-id").and_then(|v| v.to_str().ok()), Some("req-abc-123"), "{path}: id propagated");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
    let generated = client.get(app.url("/healthz")).send().await.expect("get");
    let id = generated.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(id.len(), 36, "a UUID request id is assigned: {id}");
    let css = client.get(app.url("/static/academy.css")).send().await.expect("get");
    assert!(css.headers()["cache-control"].to_str().expect("cc").contains("immutable"));
    app.stop().await;
}

async fn behind_tls_cookies_are_secure_and_host_bound(backend: Backend) {
    let app = TestApp::start_with(backend, |c| {
        c.public_url =
            academy_app::config::PublicUrl::new(url::Url::parse("https://academy.example.org").expect("url"));
        c.public_url_from_bind = false;
    })
    .await;
    let response = app.client().get(app.url("/sign-in")).send().await.expect("get");
    assert_eq!(
        response.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()),
        Some("max-age=31536000; includeSubDomains")
    );
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(
        cookie.starts_with("__Host-academy_csrf=") && cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    app.stop().await;
}

async fn shutdown_is_graceful_and_the_demo_loads_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = app.server().store.clone();
    let again = academy_app::demo::load(&app.server().state.app).await.expect("load again");
    assert_eq!(again, academy_app::demo::DemoOutcome::AlreadyPresent);
    let (people,): (i64,) = academy_store::query("SELECT COUNT(*) FROM users").fetch_one(&store).await.expect("count");
    assert_eq!(people, 69, "five named accounts and 64 generated teachers, once");
    let url = app.url("/healthz");
    let slow = {
        let client = app.client();
        let url = app.url("/sign-in");
        tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    app.stop().await;
    assert_eq!(slow.await.expect("join").expect("in-flight request finished"), StatusCode::OK);
    let after = reqwest::Client::new().get(url).timeout(std::time::Duration::from_secs(2)).send().await;
    assert!(after.is_err(), "nothing listens after shutdown");
}

/// Reads from `stream` until the server closes it (or `within` passes): whether it closed, and
/// what it sent.
async fn closed_within(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> (bool, String) {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let mut buffer = [0u8; 1024];
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (true, String::from_utf8_lossy(&received).into_owned()),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => return (false, String::from_utf8_lossy(&received).into_owned()),
        }
    }
}

async fn slow_and_silent_clients_are_closed(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;
    let app = TestApp::start_with(backend, |c| c.header_read_timeout = std::time::Duration::from_secs(1)).await;
    let addr = app.server().addr;

    // Silent: connects and sends nothing.
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    let (closed, _) = closed_within(&mut silent, std::time::Duration::from_secs(4)).await;
    assert!(closed, "a connection that sends nothing is closed");

    // Slowloris: a header line, then a byte every 300 ms, never finishing the head.
    let started = std::time::Instant::now();
    let mut slow = TcpStream::connect(addr).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: academy\r\n").await.expect("write");
    let dripping = tokio::spawn(async move {
        for byte in b"X-Slow: aaaaaaaaaaaaaaaaaaaa".iter() {
            if slow.write_all(&[*byte]).await.is_err() {
                return slow;
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        slow
    });
    let mut slow = dripping.await.expect("drip");
    let (closed, _) = closed_within(&mut slow, std::time::Duration::from_secs(2)).await;
    assert!(closed && started.elapsed() < std::time::Duration::from_secs(9), "a head sent a byte at a time is cut off");

    // Kept alive and then idle: served, then closed.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: academy\r\n\r\n").await.expect("write");
    let (closed, answer) = closed_within(&mut idle, std::time::Duration::from_secs(4)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle kept-alive connection is closed");
    app.stop().await;
}

async fn connections_are_limited(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;
    let app = TestApp::start_with(backend, |c| {
        c.max_connections = 2;
        c.header_read_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    let addr = app.server().addr;
    let _first = TcpStream::connect(addr).await.expect("connect");
    let _second = TcpStream::connect(addr).await.expect("connect");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let mut third = TcpStream::connect(addr).await.expect("the listen queue takes it");
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: academy\r\nConnection: close\r\n\r\n").await.expect("write");
    let (_, answer) = closed_within(&mut third, std::time::Duration::from_secs(8)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "served once a slot frees: {answer}");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1200),
        "the third waited for one of the two open connections to time out ({:?})",
        started.elapsed()
    );
    app.stop().await;
}
