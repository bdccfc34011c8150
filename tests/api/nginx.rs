//! Tessera behind a real nginx, as its `auth_request`: the README's configuration,
//! in front of a small upstream, and in front of a static file server that an
//! attacker tries to reach through path tricks.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use tessera::config::ServeArgs;

use crate::helpers::{TestApp, spawn_app_with};

const EXAMPLE: &str = include_str!("../../examples/nginx.conf");

fn nginx_binary() -> Option<String> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_owned);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "nginx is missing: CI installs it (apt-get install nginx)"
        );
        eprintln!("nginx is not installed: this test needs it (apt-get install nginx)");
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Tessera as the example expects it: behind nginx on this host.
async fn tessera_behind_nginx() -> TestApp {
    spawn_app_with(ServeArgs {
        trusted_proxies: vec!["127.0.0.1".into()],
        forward_auth_from: vec!["127.0.0.1".into()],
        ..ServeArgs::default()
    })
    .await
}

/// A running nginx; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    /// The example configuration, pointed at this Tessera and at `upstream`, plus
    /// any `extra` server blocks; `files` are written below the `www` folder.
    fn start(
        binary: &str,
        app: &TestApp,
        upstream: u16,
        extra: &str,
        files: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().display().to_string();
        for (path, content) in files {
            let file = dir.path().join("www").join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, content).unwrap();
        }
        let port = free_port();
        let tessera = app.address.trim_start_matches("http://");
        let config = EXAMPLE
            .replace("127.0.0.1:8080", tessera)
            .replace("127.0.0.1:9000", &format!("127.0.0.1:{upstream}"))
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"));
        let extra = extra.replace("{root}", &root);
        let wrapper = format!(
            "daemon off;\nmaster_process off;\npid {root}/nginx.pid;\nerror_log {root}/error.log warn;\nevents {{}}\n\
             http {{\n  access_log off;\n  client_body_temp_path {root}/body;\n  proxy_temp_path {root}/proxy;\n\
             fastcgi_temp_path {root}/fastcgi;\n  uwsgi_temp_path {root}/uwsgi;\n  scgi_temp_path {root}/scgi;\n{config}\n{extra}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), wrapper).unwrap();
        let child = Command::new(binary)
            .args(["-p", &root, "-c", &format!("{root}/nginx.conf")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not start: {}",
                std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            _dir: dir,
        }
    }

    /// Sends the request line exactly as given, as `curl --path-as-is` does, and
    /// returns the status and the body.
    async fn raw(&self, method: &str, target: &str, token: Option<&str>) -> (u16, String) {
        let (status, _, body) = self.exchange(method, target, token).await;
        (status, body)
    }

    /// [`Nginx::raw`], with the response's header lines too.
    async fn exchange(
        &self,
        method: &str,
        target: &str,
        token: Option<&str>,
    ) -> (u16, String, String) {
        let port = self.port;
        let request = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{}\r\n",
            token.map_or_else(String::new, |t| format!("Authorization: Bearer {t}\r\n"))
        );
        actix_web::rt::task::spawn_blocking(move || {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            let status = response
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let (head, body) = response.split_once("\r\n\r\n").map_or_else(
                || (response.clone(), String::new()),
                |(h, b)| (h.to_owned(), b.to_owned()),
            );
            (status, head.to_lowercase(), body)
        })
        .await
        .unwrap()
    }
}

/// The upstream: says who Tessera let through, and which path it was sent.
async fn echo(req: HttpRequest) -> HttpResponse {
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

#[actix_web::test]
async fn nginx_auth_request_lets_valid_tokens_through_and_stops_the_rest() {
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let app = tessera_behind_nginx().await;
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
    let server = HttpServer::new(|| App::new().default_service(web::to(echo)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    let nginx = Nginx::start(&nginx, &app, upstream_port, "", &[]);

    let (status, body) = nginx.raw("GET", "/orders/42", Some(&reader.secret)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        format!("upstream saw GET /orders/42 for {}", reader.guid)
    );
    // The upstream is sent the normalised path, the one Tessera judged.
    let (status, body) = nginx
        .raw("GET", "/orders/./7/..//42", Some(&reader.secret))
        .await;
    assert_eq!(status, 200);
    assert!(body.starts_with("upstream saw GET /orders/42 "), "{body}");

    let (invalid, _) = nginx
        .raw("GET", "/orders/42", Some("tsr_not_a_real_token"))
        .await;
    assert_eq!(invalid, 401);
    let (missing, _) = nginx.raw("GET", "/orders/42", None).await;
    assert_eq!(missing, 401);
    let (insufficient, _) = nginx.raw("POST", "/orders", Some(&reader.secret)).await;
    assert_eq!(insufficient, 403, "read-only may not POST");
    let (unmapped, _) = nginx.raw("GET", "/elsewhere", Some(&reader.secret)).await;
    assert_eq!(unmapped, 403, "no module covers the path");

    // A revoke in the admin is honoured through nginx on the very next request.
    let version = admin.version_of(&reader.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/revoke", reader.guid),
            &[("version", &version)],
        )
        .await;
    let (revoked, _) = nginx.raw("GET", "/orders/42", Some(&reader.secret)).await;
    assert_eq!(revoked, 401);
}

/// A token granted only `orders:read`, in front of a static file server that
/// resolves dot segments and escapes itself: no path trick reaches Billing.
#[actix_web::test]
async fn no_path_trick_through_nginx_reaches_a_module_the_token_lacks() {
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let app = tessera_behind_nginx().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let grant = format!("{}:read", app.module_id("orders"));
    let orders_reader = admin
        .create_token(
            "Orders only",
            &scope,
            &[("token_type", "custom"), ("permissions", &grant)],
        )
        .await;
    let static_port = free_port();
    let static_server =
        format!("server {{\n  listen 127.0.0.1:{static_port};\n  root {{root}}/www;\n}}\n");
    let nginx = Nginx::start(
        &nginx,
        &app,
        static_port,
        &static_server,
        &[("orders/1", "orders file"), ("billing/1", "billing file")],
    );
    let token = Some(orders_reader.secret.as_str());

    assert_eq!(
        nginx.raw("GET", "/orders/1", token).await,
        (200, "orders file".to_owned())
    );
    assert_eq!(nginx.raw("GET", "/billing/1", token).await.0, 403);
    for attack in [
        "/orders/../billing/1",
        "/orders/%2e%2e/billing/1",
        "/orders/%2E%2E/billing/1",
        "/orders/./../billing/1",
        "/orders/..%2fbilling/1",
        "/orders/..%2Fbilling/1",
        "/orders//..//billing/1",
        "/orders/.%2e/billing/1",
        "/orders/%252e%252e/billing/1",
        "/orders/..;/billing/1",
        "/ORDERS/../billing/1",
    ] {
        let (status, body) = nginx.raw("GET", attack, token).await;
        assert!(status == 403 || status == 400, "{attack}: {status} {body}");
        assert!(!body.contains("billing file"), "{attack} reached Billing");
    }
}

#[actix_web::test]
async fn nginx_turns_a_used_up_limit_into_429_with_the_headers() {
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let app = tessera_behind_nginx().await;
    let admin = app.with_examples().await;
    let token = admin
        .create_token("Limited behind nginx", &app.scope_id("Production"), &[])
        .await;
    let limits = admin
        .post(
            &format!("/settings/api-tokens/{}/limits", token.guid),
            &[("limits", "requests: 2 per day")],
        )
        .await;
    assert_eq!(limits.status, 303);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| App::new().default_service(web::to(echo)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    let nginx = Nginx::start(&nginx, &app, upstream_port, "", &[]);

    for left in [1, 0] {
        let (status, head, body) = nginx
            .exchange("GET", "/orders/1", Some(&token.secret))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            head.contains("ratelimit-policy: \"requests\";q=2;w=86400"),
            "{head}"
        );
        assert!(
            head.contains(&format!("ratelimit: \"requests\";r={left};")),
            "{head}"
        );
    }
    let (status, head, _) = nginx
        .exchange("GET", "/orders/1", Some(&token.secret))
        .await;
    assert_eq!(status, 429, "{head}");
    assert!(head.contains("retry-after: "), "{head}");
    assert!(head.contains("ratelimit: \"requests\";r=0;"), "{head}");
    // A refusal for what the token may not do stays a 403.
    let (status, _, _) = nginx
        .exchange("GET", "/orders/1", Some("tsr_not_a_token"))
        .await;
    assert_eq!(status, 401);
}
