//! Secrets at rest: the data folder and its files are private to their owner, and the issuer's
//! signing key is stored sealed with a key kept outside the database.

use academy_app::config::Config;
use academy_app::{App, open_store};
use academy_store::credentials;

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_is_private_and_the_issuer_key_sealed() {
    let parent = tempfile::tempdir().expect("dir");
    let data = parent.path().join("academy-data");
    let config = Config::for_data_dir(&data, None).expect("config");
    let store = open_store(&config).await.expect("open");
    let app = App::new(store.clone(), config).expect("app");
    academy_app::learn::credentials::prepare_issuer(&app).await.expect("issuer key");
    #[cfg(unix)]
    {
        assert_eq!(mode(&data), 0o700, "the data folder");
        assert_eq!(mode(&data.join("academy.db")), 0o600, "the database");
        assert_eq!(mode(&data.join("academy.db-wal")), 0o600, "its write-ahead log");
        assert_eq!(mode(&data.join("secret.key")), 0o600, "the secret key");
    }
    let key = credentials::active_key(&store).await.expect("read").expect("a key");
    assert!(key.secret_key.starts_with("enc:v1:"), "sealed: {}", &key.secret_key[..10]);
    let identity = academy_app::learn::credentials::current_issuer(&app).await.expect("the key opens");
    assert!(identity.did().starts_with("did:key:"));

    // Another secret key cannot open it, and says which key it needs.
    let other = Config {
        secret_key_file: parent.path().join("other.key"),
        ..Config::for_data_dir(&data, None).expect("config")
    };
    let stranger = App::new(store.clone(), other).expect("app");
    let error = academy_app::learn::credentials::current_issuer(&stranger).await.expect_err("wrong key");
    assert!(format!("{error:#}").contains("ACADEMY_SECRET_KEY_PREVIOUS"), "{error:#}");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_stored_in_plain_form_are_sealed_and_rotation_reseals() {
    let parent = tempfile::tempdir().expect("dir");
    let data = parent.path().join("academy-data");
    let config = Config::for_data_dir(&data, None).expect("config");
    let store = open_store(&config).await.expect("open");
    // A database from before sealing: the key in base64.
    let mut tx = store.begin().await.expect("tx");
    let key = academy_credentials::IssuerKey::generate();
    let plain = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key.secret_bytes());
    let identity = academy_credentials::IssuerIdentity::did_key(key);
    let public = identity.did().trim_start_matches("did:key:").to_owned();
    credentials::insert_key(
        &mut tx,
        identity.did(),
        identity.verification_method(),
        &public,
        &plain,
        academy_core::time::now(),
    )
    .await
    .expect("insert");
    tx.commit().await.expect("commit");

    let app = App::new(store.clone(), config.clone()).expect("app");
    academy_app::learn::credentials::prepare_issuer(&app).await.expect("prepare");
    let stored = credentials::active_key(&store).await.expect("read").expect("key");
    assert!(stored.secret_key.starts_with("enc:v1:"), "sealed at start");
    let before = academy_app::learn::credentials::current_issuer(&app).await.expect("opens");
    assert_eq!(before.did(), identity.did(), "the same key, sealed");

    // Rotation: a new key with the old one as previous opens it, and resealing moves it over.
    let old = std::fs::read_to_string(&config.secret_key_file).expect("key file");
    let rotated = Config {
        secret_key: Some(academy_app::secrets::generate_key().as_str().into()),
        secret_key_previous: vec![old.trim().into()],
        ..config.clone()
    };
    let app = App::new(store.clone(), rotated.clone()).expect("app");
    assert_eq!(academy_app::learn::credentials::reseal_issuer_keys(&app).await.expect("reseal"), 1);
    assert_eq!(academy_app::learn::credentials::reseal_issuer_keys(&app).await.expect("again"), 0, "idempotent");
    let without_old = Config { secret_key_previous: Vec::new(), ..rotated };
    let app = App::new(store.clone(), without_old).expect("app");
    let after = academy_app::learn::credentials::current_issuer(&app).await.expect("opens with the new key alone");
    assert_eq!(after.did(), identity.did());
    store.close().await;
}
