//! Single sign-on with an OpenID Connect provider: the authorization code flow with
//! PKCE, `state` and `nonce`; the ID token validated (signature, issuer, audience,
//! expiry, nonce) by the `openidconnect` crate; the user info read for the claims
//! the ID token leaves out.

mod http_client;
mod pending;

pub use pending::{PendingSignIn, cleared_pending_cookie, pending_cookie, take_pending};

use std::sync::Mutex;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::OidcSettings;
use crate::domain::sso::{Identity, Refusal};
use crate::urls;

/// How long discovered provider settings (and its signing keys) are used before
/// they are read again.
const METADATA_LIFETIME: Duration = Duration::from_secs(600);

/// How long a sign-in may take at the provider.
const PENDING_LIFETIME: time::Duration = time::Duration::minutes(10);

/// Every claim the provider sends, beside the standard ones: the groups are among them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct OtherClaims(serde_json::Map<String, Value>);
impl AdditionalClaims for OtherClaims {}

type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        OtherClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider's answer at the callback.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// Who signed in, and the ID token to name them by when they sign out.
pub struct SignedIn {
    pub identity: Identity,
    pub id_token: String,
}

/// The configured provider, with its discovered settings.
pub struct OidcProvider {
    pub settings: OidcSettings,
    redirect_url: RedirectUrl,
    signed_out_url: String,
    discovered: Mutex<Option<(Instant, ProviderMetadataWithLogout)>>,
}

impl OidcProvider {
    pub fn new(settings: OidcSettings, public_url: &str) -> anyhow::Result<Self> {
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
        if settings.issuer.starts_with("http://")
            && !loopback.iter().any(|l| settings.issuer.starts_with(l))
        {
            tracing::warn!(
                issuer = %settings.issuer,
                "the OpenID provider is reached over plain http: anyone on the way could sign in as anyone"
            );
        }
        let redirect_url = RedirectUrl::new(format!("{public_url}{}", urls::SSO_CALLBACK))?;
        Ok(Self {
            settings,
            redirect_url,
            signed_out_url: format!("{public_url}{}", urls::LOGIN),
            discovered: Mutex::new(None),
        })
    }

    /// The provider's settings: discovered at first use, and again after a while
    /// (so that rotated signing keys are found).
    async fn metadata(&self) -> Result<ProviderMetadataWithLogout, Refusal> {
        if let Some((at, metadata)) = &*self.discovered.lock().expect("not poisoned")
            && at.elapsed() < METADATA_LIFETIME
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|_| Refusal::ProviderUnavailable)?;
        let http = http_client::Outbound::new();
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &|r| http.send(r))
            .await
            .map_err(|error| {
                tracing::error!(error = %error_chain(&error), "could not discover the OpenID provider");
                Refusal::ProviderUnavailable
            })?;
        *self.discovered.lock().expect("not poisoned") = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> OidcClient {
        Client::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect_url.clone())
    }

    /// Where to send the browser, and what its session must keep until it is back.
    pub async fn start(&self, next: String) -> Result<(String, PendingSignIn), Refusal> {
        let client = self.client(self.metadata().await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<openidconnect::core::CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in self.settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = PendingSignIn {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next,
            started_at: time::OffsetDateTime::now_utc().unix_timestamp(),
        };
        Ok((url.to_string(), pending))
    }

    /// Checks the provider's answer against the sign-in this browser started, trades
    /// the code for tokens, validates the ID token and reads the user info.
    pub async fn finish(
        &self,
        pending: Option<PendingSignIn>,
        answer: CallbackQuery,
    ) -> Result<SignedIn, Refusal> {
        let pending = pending.ok_or(Refusal::NotStartedHere)?;
        let age = time::OffsetDateTime::now_utc().unix_timestamp() - pending.started_at;
        let state_matches = answer.state.as_deref().is_some_and(|state| {
            subtle::ConstantTimeEq::ct_eq(state.as_bytes(), pending.state.as_bytes()).into()
        });
        if !state_matches || !(0..PENDING_LIFETIME.whole_seconds()).contains(&age) {
            return Err(Refusal::NotStartedHere);
        }
        if let Some(error) = answer.error {
            return Err(Refusal::ProviderRefused(error.chars().take(64).collect()));
        }
        let code = answer
            .code
            .ok_or_else(|| Refusal::CodeRefused("no code".into()))?;
        let client = self.client(self.metadata().await?);
        let http = http_client::Outbound::new();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|_| Refusal::ProviderUnavailable)?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&|r| http.send(r))
            .await
            .map_err(|error| match error {
                RequestTokenError::ServerResponse(answer) => {
                    Refusal::CodeRefused(answer.error().as_ref().chars().take(64).collect())
                }
                other => {
                    tracing::error!(error = %error_chain(&other), "the OpenID provider's token endpoint failed");
                    Refusal::ProviderUnavailable
                }
            })?;
        let id_token = tokens
            .extra_fields()
            .id_token()
            .ok_or_else(|| Refusal::InvalidIdToken("the provider sent none".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce))
            .map_err(|error| Refusal::InvalidIdToken(error_chain(&error)))?;
        let mut all = serde_json::to_value(claims).unwrap_or_default();
        if client.user_info_url().is_some() {
            let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = client
                .user_info(tokens.access_token().clone(), Some(claims.subject().clone()))
                .map_err(|_| Refusal::ProviderUnavailable)?
                .request_async(&|r| http.send(r))
                .await
                .map_err(|error| {
                    tracing::error!(error = %error_chain(&error), "the OpenID provider's user info failed");
                    Refusal::ProviderUnavailable
                })?;
            merge_missing(&mut all, serde_json::to_value(info).unwrap_or_default());
        }
        let identity = Identity::from_claims(&all, &self.settings.groups_claim)
            .ok_or_else(|| Refusal::InvalidIdToken("no subject".into()))?;
        Ok(SignedIn {
            identity,
            id_token: id_token.to_string(),
        })
    }

    /// Where to send a browser that signs out, so it signs out at the provider too
    /// (when the provider offers it): back to the sign-in page afterwards.
    pub async fn sign_out_url(&self, id_token: &str) -> Option<String> {
        let metadata = self.metadata().await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(
                PostLogoutRedirectUrl::new(self.signed_out_url.clone()).ok()?,
            );
        if let Ok(token) = id_token.parse() {
            request = request.set_id_token_hint::<OtherClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>(&token);
        }
        Some(request.http_get_url().to_string())
    }
}

/// Adds the user info's claims the ID token does not have (the ID token's win).
fn merge_missing(into: &mut Value, from: Value) {
    if let (Value::Object(into), Value::Object(from)) = (into, from) {
        for (name, value) in from {
            into.entry(name).or_insert(value);
        }
    }
}

/// An error and its causes, in one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
