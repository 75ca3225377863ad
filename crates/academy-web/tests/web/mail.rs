//! Mail over SMTP, against a local server speaking the protocol, and the retry of a refused
//! message through the job queue.

use crate::support::{TestApp, link_in, on_both};
use academy_store::{Backend, jobs, query};
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

on_both!(reset_mail_goes_out_over_smtp, a_refused_message_is_retried_with_backoff);

/// A minimal SMTP server (RFC 5321 happy path) that records each message's DATA, and refuses
/// the first `refuse` transactions with a transient 451.
struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    async fn start(refuse: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(AtomicUsize::new(0));
        let sink = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = sink.clone();
                let refused = refused.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink.test ESMTP ready\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
                            "HELO" => b"250 sink.test\r\n",
                            "MAIL" if refused.fetch_add(1, Ordering::SeqCst) < refuse => {
                                b"451 4.3.0 try again later\r\n"
                            }
                            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                            "DATA" => {
                                let _ = write.write_all(b"354 end with .\r\n").await;
                                let mut data = String::new();
                                while let Ok(Some(l)) = lines.next_line().await {
                                    if l == "." {
                                        break;
                                    }
                                    data.push_str(&l);
                                    data.push('\n');
                                }
                                sink.lock().await.push(data);
                                b"250 2.0.0 queued\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"502 5.5.2 not implemented\r\n",
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Self { port, messages }
    }
}

async fn reset_mail_goes_out_over_smtp(backend: Backend) {
    let smtp = SmtpSink::start(0).await;
    let port = smtp.port;
    let app = TestApp::start_with(backend, |c| {
        c.smtp = Some(academy_app::config::Smtp { url: format!("smtp://127.0.0.1:{port}") });
    })
    .await;
    let client = app.client();
    let sent =
        app.post_form(&client, "/password/forgot", "/password/forgot", &[("email", "teacher@academy.test")]).await;
    assert_eq!(sent.status(), StatusCode::OK);
    let record = app.last_mail("teacher@academy.test").await;
    assert_eq!(record.transport, "smtp");
    assert!(!record.body.contains("/password/reset/"), "the link is not kept when SMTP delivered it");
    let messages: Vec<String> =
        smtp.messages.lock().await.iter().filter(|m| m.contains("To: teacher@academy.test")).cloned().collect();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("To: teacher@academy.test"), "{message}");
    assert!(message.contains("Subject: Reset your Academy password"), "{message}");
    // Quoted-printable may wrap the link; undo soft line breaks before looking for it.
    let unwrapped = message.replace("=\n", "").replace("=3D", "=");
    let link = link_in(&unwrapped, &app.url("/password/reset/"));
    let response = client.get(&link).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK, "the mailed link opens the form");
    app.stop().await;
}

async fn a_refused_message_is_retried_with_backoff(backend: Backend) {
    let smtp = SmtpSink::start(1).await;
    let port = smtp.port;
    let app = TestApp::start_with(backend, |c| {
        c.smtp = Some(academy_app::config::Smtp { url: format!("smtp://127.0.0.1:{port}") });
    })
    .await;
    let store = &app.server().store;
    app.post_form(&app.client(), "/password/forgot", "/password/forgot", &[("email", "teacher@academy.test")]).await;
    // The first attempt is refused: the job waits for its retry with the error recorded.
    let mut job = None;
    for _ in 0..100 {
        let listed = jobs::list(store, Some(jobs::JobStatus::Queued), 10).await.expect("jobs");
        if let Some(j) = listed.into_iter().find(|j| j.attempts == 1) {
            job = Some(j);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let job = job.expect("the refused job is queued again");
    assert!(job.last_error.as_deref().unwrap_or("").contains("451"), "{:?}", job.last_error);
    assert!(job.run_at > academy_core::time::now(), "it waits before retrying");
    let to_teacher = |messages: &[String]| messages.iter().filter(|m| m.contains("To: teacher@academy.test")).count();
    assert_eq!(to_teacher(&smtp.messages.lock().await), 0);
    // Let the backoff pass.
    query("UPDATE jobs SET run_at = $1 WHERE id = $2")
        .bind(academy_core::time::now())
        .bind(job.id)
        .execute(store)
        .await
        .expect("due now");
    app.drain_jobs().await;
    let done = jobs::get(store, job.id).await.expect("get").expect("job");
    assert_eq!((done.status.as_str(), done.attempts), ("done", 2));
    assert_eq!(to_teacher(&smtp.messages.lock().await), 1);
    app.stop().await;
}
