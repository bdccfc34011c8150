//! Tessera behind a real nginx, as its `auth_request`: the README's configuration,
//! in front of a small upstream.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use tessera::config::ServeArgs;

use crate::helpers::spawn_app_with;

fn nginx_binary() -> Option<String> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_owned)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The upstream: says who Tessera let through.
async fn upstream(req: HttpRequest) -> HttpResponse {
    let guid = req
        .headers()
        .get("x-tessera-token-guid")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("nobody");
    HttpResponse::Ok().body(format!(
        "upstream saw {} {} for {guid}",
        req.method(),
        req.path()
    ))
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[actix_web::test]
async fn nginx_auth_request_lets_valid_tokens_through_and_stops_the_rest() {
    let Some(nginx) = nginx_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "nginx is missing: CI installs it (apt-get install nginx)"
        );
        eprintln!("nginx is not installed: this test needs it (apt-get install nginx)");
        return;
    };
    let app = spawn_app_with(ServeArgs {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let reader = admin
        .create_token(
            "Behind nginx",
            &scope,
            &[("allowed_networks", "127.0.0.0/8")],
        )
        .await;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| App::new().default_service(web::to(upstream)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let tessera = app.address.trim_start_matches("http://").to_owned();
    let config = include_str!("../../examples/nginx.conf")
        .replace("127.0.0.1:8080", &tessera)
        .replace("127.0.0.1:9000", &format!("127.0.0.1:{upstream_port}"))
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"));
    let root = dir.path().display().to_string();
    let wrapper = format!(
        "daemon off;\nmaster_process off;\npid {root}/nginx.pid;\nerror_log {root}/error.log warn;\nevents {{}}\n\
         http {{\n  access_log off;\n  client_body_temp_path {root}/body;\n  proxy_temp_path {root}/proxy;\n\
         fastcgi_temp_path {root}/fastcgi;\n  uwsgi_temp_path {root}/uwsgi;\n  scgi_temp_path {root}/scgi;\n{config}\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), wrapper).unwrap();
    let child = Command::new(&nginx)
        .args(["-p", &root, "-c", &format!("{root}/nginx.conf")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _nginx = Nginx(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let client = awc::Client::default();
    let through = |method: &str, path: &str, token: Option<&str>| {
        let mut request = client.request(
            method.parse().unwrap(),
            format!("http://127.0.0.1:{port}{path}"),
        );
        if let Some(token) = token {
            request = request.insert_header(("authorization", format!("Bearer {token}")));
        }
        request.send()
    };
    let mut ok = through("GET", "/orders/42", Some(&reader.secret))
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let body = String::from_utf8_lossy(&ok.body().await.unwrap()).into_owned();
    assert_eq!(
        body,
        format!("upstream saw GET /orders/42 for {}", reader.guid)
    );

    let invalid = through("GET", "/orders/42", Some("tsr_not_a_real_token"))
        .await
        .unwrap();
    assert_eq!(invalid.status().as_u16(), 401);
    let missing = through("GET", "/orders/42", None).await.unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    let insufficient = through("POST", "/orders", Some(&reader.secret))
        .await
        .unwrap();
    assert_eq!(
        insufficient.status().as_u16(),
        403,
        "read-only may not POST"
    );
    let unmapped = through("GET", "/elsewhere", Some(&reader.secret))
        .await
        .unwrap();
    assert_eq!(unmapped.status().as_u16(), 403, "no module covers the path");

    // A revoke in the admin is honoured through nginx on the very next request.
    let version = admin.version_of(&reader.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/revoke", reader.guid),
            &[("version", &version)],
        )
        .await;
    let revoked = through("GET", "/orders/42", Some(&reader.secret))
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 401);
}
