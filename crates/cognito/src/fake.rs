//! An in-memory Cognito for fast tests. It follows the AWS API reference where moto does not:
//! UpdateUserPoolClient resets every field it is not given, a duplicate provider name is
//! refused, a client naming an unknown provider is refused, a domain prefix in use anywhere is
//! refused, and DescribeIdentityProvider shows ActiveEncryptionCertificate once encrypted
//! responses are on. Failures can be injected per operation.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

use super::api::*;

#[derive(Debug, Default)]
struct PoolData {
    pool: Pool,
    providers: BTreeMap<String, ProviderInfo>,
    clients: BTreeMap<String, ClientConfig>,
    /// Clients with a managed login branding style.
    branded: std::collections::BTreeSet<String>,
}

#[derive(Debug, Default)]
struct World {
    pools: BTreeMap<String, PoolData>,
    domains: BTreeMap<String, DomainInfo>,
    counter: u32,
    calls: Vec<String>,
    /// Operation name -> error to return on its next call.
    failures: BTreeMap<String, ApiError>,
    /// Operations whose next call is carried out but answered with this error (a lost answer).
    lost_answers: BTreeMap<String, ApiError>,
    tick: u64,
    spans: Vec<Span>,
}

#[derive(Debug, Default)]
pub struct FakeCognito {
    world: Mutex<World>,
    region: String,
    latency: Option<std::time::Duration>,
}

/// One call, on the fake's clock of events: a call that starts before another ends was in
/// flight with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub operation: String,
    pub start: u64,
    pub end: Option<u64>,
}

impl Span {
    pub fn overlaps(&self, other: &Span) -> bool {
        let never = u64::MAX;
        self.start < other.end.unwrap_or(never) && other.start < self.end.unwrap_or(never)
    }
}

pub use super::api::WRITE_OPERATIONS;

impl FakeCognito {
    pub fn new(region: &str) -> FakeCognito {
        FakeCognito {
            world: Mutex::new(World::default()),
            region: region.to_string(),
            latency: None,
        }
    }

    /// Runs one call: recorded, failures injected, then (after the latency, if any) ended.
    /// The world changes at once; the answer comes after the latency, so calls a caller runs
    /// at once overlap, and `spans` shows which were in flight together.
    fn with<T: 'static>(
        &self,
        op: &str,
        f: impl FnOnce(&mut World) -> ApiResult<T>,
    ) -> impl Future<Output = ApiResult<T>> + '_ {
        let (result, span) = {
            let mut w = match self.world.lock() {
                Ok(w) => w,
                Err(poisoned) => poisoned.into_inner(),
            };
            w.calls.push(op.to_string());
            w.tick += 1;
            let span = w.spans.len();
            let start = w.tick;
            w.spans.push(Span {
                operation: op.to_string(),
                start,
                end: None,
            });
            let result = match w.failures.remove(op) {
                Some(e) => Err(e),
                None => {
                    let lost = w.lost_answers.remove(op);
                    match (f(&mut w), lost) {
                        (Ok(_), Some(e)) => Err(e),
                        (result, _) => result,
                    }
                }
            };
            (result, span)
        };
        async move {
            if let Some(latency) = self.latency {
                tokio::time::sleep(latency).await;
            }
            let mut w = match self.world.lock() {
                Ok(w) => w,
                Err(poisoned) => poisoned.into_inner(),
            };
            w.tick += 1;
            let end = w.tick;
            if let Some(s) = w.spans.get_mut(span) {
                s.end = Some(end);
            }
            result
        }
    }

    /// Every call with when it started and ended (on one clock of events), in call order.
    pub fn spans(&self) -> Vec<Span> {
        self.world
            .lock()
            .map(|w| w.spans.clone())
            .unwrap_or_default()
    }

    /// Each answer comes this long after its call (calls overlap like on a real network).
    pub fn with_latency(mut self, latency: std::time::Duration) -> FakeCognito {
        self.latency = Some(latency);
        self
    }

    /// Carries out the next call of `operation`, then answers it with `error`, as when the
    /// answer is lost on the way back.
    pub fn lose_answer_next(&self, operation: &str, kind: ErrorKind, message: &str) {
        if let Ok(mut w) = self.world.lock() {
            w.lost_answers.insert(
                operation.to_string(),
                ApiError::new(kind, operation, message),
            );
        }
    }

    /// Makes the next call of `operation` fail with `error`.
    pub fn fail_next(&self, operation: &str, kind: ErrorKind, message: &str) {
        if let Ok(mut w) = self.world.lock() {
            w.failures.insert(
                operation.to_string(),
                ApiError::new(kind, operation, message),
            );
        }
    }

    /// Every call made so far, by operation name.
    pub fn calls(&self) -> Vec<String> {
        self.world
            .lock()
            .map(|w| w.calls.clone())
            .unwrap_or_default()
    }

    pub fn write_calls(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| WRITE_OPERATIONS.contains(&c.as_str()))
            .collect()
    }

    pub fn clear_calls(&self) {
        if let Ok(mut w) = self.world.lock() {
            w.calls.clear();
        }
    }

    /// Counts of what exists, for "no duplicates" checks: (pools, domains, providers, clients).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        self.world
            .lock()
            .map(|w| {
                (
                    w.pools.len(),
                    w.domains.len(),
                    w.pools.values().map(|p| p.providers.len()).sum(),
                    w.pools.values().map(|p| p.clients.len()).sum(),
                )
            })
            .unwrap_or_default()
    }

    /// Adds a pool directly (an existing account), returning its ID.
    pub fn seed_pool(&self, name: &str, required: &[&str]) -> String {
        let mut w = match self.world.lock() {
            Ok(w) => w,
            Err(p) => p.into_inner(),
        };
        w.counter += 1;
        let id = format!("{}_Fake{:04}", self.region, w.counter);
        w.pools.insert(
            id.clone(),
            PoolData {
                pool: Pool {
                    id: id.clone(),
                    name: name.to_string(),
                    required_attributes: required.iter().map(|s| s.to_string()).collect(),
                    ..Pool::default()
                },
                ..PoolData::default()
            },
        );
        id
    }

    pub fn seed_provider(&self, pool_id: &str, provider: ProviderInfo) {
        if let Ok(mut w) = self.world.lock()
            && let Some(p) = w.pools.get_mut(pool_id)
        {
            p.providers.insert(provider.name.clone(), provider);
        }
    }

    pub fn seed_client(&self, pool_id: &str, client: ClientConfig) -> String {
        let mut w = match self.world.lock() {
            Ok(w) => w,
            Err(p) => p.into_inner(),
        };
        w.counter += 1;
        let id = format!("fakeclient{:04}", w.counter);
        if let Some(p) = w.pools.get_mut(pool_id) {
            p.clients.insert(
                id.clone(),
                ClientConfig {
                    client_id: Some(id.clone()),
                    ..client
                },
            );
        }
        id
    }

    pub fn client(&self, pool_id: &str, client_id: &str) -> Option<ClientConfig> {
        let w = self.world.lock().ok()?;
        w.pools.get(pool_id)?.clients.get(client_id).cloned()
    }

    pub fn provider(&self, pool_id: &str, name: &str) -> Option<ProviderInfo> {
        let w = self.world.lock().ok()?;
        w.pools.get(pool_id)?.providers.get(name).cloned()
    }
}

fn not_found(op: &str, what: String) -> ApiError {
    ApiError::new(ErrorKind::NotFound, op, what)
}

fn pool_mut<'a>(w: &'a mut World, op: &str, id: &str) -> ApiResult<&'a mut PoolData> {
    w.pools
        .get_mut(id)
        .ok_or_else(|| not_found(op, format!("User pool {id} does not exist.")))
}

fn check_client_providers(op: &str, pool: &PoolData, client: &ClientConfig) -> ApiResult<()> {
    for p in &client.supported_identity_providers {
        if p != "COGNITO" && !pool.providers.contains_key(p) {
            return Err(ApiError::new(
                ErrorKind::InvalidParameter,
                op,
                format!(
                    "The provider {p} does not exist for User Pool {}",
                    pool.pool.id
                ),
            ));
        }
    }
    Ok(())
}

fn with_read_only(mut p: ProviderInfo) -> ProviderInfo {
    if p.provider_type == ProviderType::Saml {
        if p.details.get("EncryptedResponses").map(String::as_str) == Some("true") {
            p.details
                .entry("ActiveEncryptionCertificate".into())
                .or_insert_with(|| "MIIFAKEENCRYPTIONCERT".into());
        }
        p.details
            .entry("SSORedirectBindingURI".into())
            .or_insert_with(|| "https://login.microsoftonline.com/fake/saml2".into());
    }
    p
}

impl CognitoApi for FakeCognito {
    async fn list_user_pools(&self) -> ApiResult<Vec<PoolSummary>> {
        self.with("ListUserPools", |w| {
            Ok(w.pools
                .values()
                .map(|p| PoolSummary {
                    id: p.pool.id.clone(),
                    name: p.pool.name.clone(),
                })
                .collect())
        })
        .await
    }

    async fn describe_user_pool(&self, pool_id: &str) -> ApiResult<Pool> {
        self.with("DescribeUserPool", |w| {
            Ok(pool_mut(w, "DescribeUserPool", pool_id)?.pool.clone())
        })
        .await
    }

    async fn create_user_pool(&self, name: &str) -> ApiResult<Pool> {
        self.with("CreateUserPool", |w| {
            w.counter += 1;
            let id = format!("{}_Fake{:04}", self.region, w.counter);
            // CreateUserPool without UserPoolTier makes an Essentials pool (API reference).
            let pool = Pool {
                id: id.clone(),
                name: name.to_string(),
                tier: Some("ESSENTIALS".into()),
                ..Pool::default()
            };
            w.pools.insert(
                id,
                PoolData {
                    pool: pool.clone(),
                    ..PoolData::default()
                },
            );
            Ok(pool)
        })
        .await
    }

    async fn describe_domain(&self, domain: &str) -> ApiResult<Option<DomainInfo>> {
        self.with("DescribeUserPoolDomain", |w| {
            Ok(w.domains.get(domain).cloned())
        })
        .await
    }

    async fn create_domain(
        &self,
        pool_id: &str,
        domain: &str,
        managed_login: bool,
    ) -> ApiResult<()> {
        let op = "CreateUserPoolDomain";
        self.with(op, |w| {
            if w.domains.contains_key(domain) {
                return Err(ApiError::new(
                    ErrorKind::InvalidParameter,
                    op,
                    "Domain already associated with another user pool.",
                ));
            }
            let pool = pool_mut(w, op, pool_id)?;
            if pool.pool.domain.is_some() {
                return Err(ApiError::new(
                    ErrorKind::InvalidParameter,
                    op,
                    "User pool already has a domain configured.",
                ));
            }
            pool.pool.domain = Some(domain.to_string());
            w.domains.insert(
                domain.to_string(),
                DomainInfo {
                    domain: domain.to_string(),
                    user_pool_id: pool_id.to_string(),
                    status: Some("ACTIVE".into()),
                    managed_login_version: Some(managed_login_version(managed_login)),
                },
            );
            Ok(())
        })
        .await
    }

    async fn list_identity_providers(&self, pool_id: &str) -> ApiResult<Vec<ProviderSummary>> {
        self.with("ListIdentityProviders", |w| {
            Ok(pool_mut(w, "ListIdentityProviders", pool_id)?
                .providers
                .values()
                .map(|p| ProviderSummary {
                    name: p.name.clone(),
                    provider_type: p.provider_type,
                })
                .collect())
        })
        .await
    }

    async fn describe_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> ApiResult<Option<ProviderInfo>> {
        self.with("DescribeIdentityProvider", |w| {
            Ok(pool_mut(w, "DescribeIdentityProvider", pool_id)?
                .providers
                .get(name)
                .cloned()
                .map(with_read_only))
        })
        .await
    }

    async fn create_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> ApiResult<()> {
        let op = "CreateIdentityProvider";
        self.with(op, |w| {
            let pool = pool_mut(w, op, pool_id)?;
            if pool.providers.contains_key(&provider.name) {
                return Err(ApiError::new(
                    ErrorKind::Duplicate,
                    op,
                    format!(
                        "A provider with the name {} already exists in this user pool.",
                        provider.name
                    ),
                ));
            }
            if let Some(k) = READ_ONLY_DETAILS
                .iter()
                .find(|k| provider.details.contains_key(**k))
            {
                return Err(ApiError::new(
                    ErrorKind::InvalidParameter,
                    op,
                    format!("{k} is read-only"),
                ));
            }
            pool.providers
                .insert(provider.name.clone(), provider.clone());
            Ok(())
        })
        .await
    }

    async fn update_identity_provider(
        &self,
        pool_id: &str,
        provider: &ProviderInfo,
    ) -> ApiResult<()> {
        let op = "UpdateIdentityProvider";
        self.with(op, |w| {
            let pool = pool_mut(w, op, pool_id)?;
            if let Some(k) = READ_ONLY_DETAILS
                .iter()
                .find(|k| provider.details.contains_key(**k))
            {
                return Err(ApiError::new(
                    ErrorKind::InvalidParameter,
                    op,
                    format!("{k} is read-only and cannot be updated"),
                ));
            }
            let existing = pool.providers.get_mut(&provider.name).ok_or_else(|| {
                not_found(
                    op,
                    format!("Identity provider {} does not exist.", provider.name),
                )
            })?;
            existing.details = provider.details.clone();
            existing.attribute_mapping = provider.attribute_mapping.clone();
            if let Some(ids) = &provider.idp_identifiers {
                existing.idp_identifiers = Some(ids.clone());
            }
            Ok(())
        })
        .await
    }

    async fn list_user_pool_clients(&self, pool_id: &str) -> ApiResult<Vec<ClientSummary>> {
        self.with("ListUserPoolClients", |w| {
            Ok(pool_mut(w, "ListUserPoolClients", pool_id)?
                .clients
                .values()
                .map(|c| ClientSummary {
                    id: c.client_id.clone().unwrap_or_default(),
                    name: c.client_name.clone(),
                })
                .collect())
        })
        .await
    }

    async fn describe_user_pool_client(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> ApiResult<ClientConfig> {
        let op = "DescribeUserPoolClient";
        self.with(op, |w| {
            pool_mut(w, op, pool_id)?
                .clients
                .get(client_id)
                .cloned()
                .ok_or_else(|| {
                    not_found(op, format!("User pool client {client_id} does not exist."))
                })
        })
        .await
    }

    async fn create_user_pool_client(
        &self,
        pool_id: &str,
        client: &ClientConfig,
    ) -> ApiResult<String> {
        let op = "CreateUserPoolClient";
        self.with(op, |w| {
            w.counter += 1;
            let id = format!("fakeclient{:04}", w.counter);
            let pool = pool_mut(w, op, pool_id)?;
            check_client_providers(op, pool, client)?;
            pool.clients.insert(
                id.clone(),
                ClientConfig {
                    client_id: Some(id.clone()),
                    has_secret: client.generate_secret,
                    ..client.clone()
                },
            );
            Ok(id)
        })
        .await
    }

    async fn update_user_pool_client(&self, pool_id: &str, client: &ClientConfig) -> ApiResult<()> {
        let op = "UpdateUserPoolClient";
        self.with(op, |w| {
            let pool = pool_mut(w, op, pool_id)?;
            check_client_providers(op, pool, client)?;
            let id = client.client_id.clone().unwrap_or_default();
            let existing = pool
                .clients
                .get_mut(&id)
                .ok_or_else(|| not_found(op, format!("User pool client {id} does not exist.")))?;
            // As the API reference says: every field not given is reset to its default.
            *existing = ClientConfig {
                client_id: Some(id),
                has_secret: existing.has_secret,
                generate_secret: existing.generate_secret,
                ..client.clone()
            };
            Ok(())
        })
        .await
    }

    async fn create_managed_login_branding(&self, pool_id: &str, client_id: &str) -> ApiResult<()> {
        const OP: &str = "CreateManagedLoginBranding";
        self.with(OP, |w| {
            let pool = pool_mut(w, OP, pool_id)?;
            if !pool.clients.contains_key(client_id) {
                return Err(not_found(
                    OP,
                    format!("User pool client {client_id} does not exist."),
                ));
            }
            if !pool.branded.insert(client_id.to_string()) {
                return Err(ApiError::new(
                    ErrorKind::Other,
                    OP,
                    "A managed login branding style already exists for this app client.",
                ));
            }
            Ok(())
        })
        .await
    }

    async fn has_managed_login_branding(&self, pool_id: &str, client_id: &str) -> ApiResult<bool> {
        const OP: &str = "DescribeManagedLoginBrandingByClient";
        self.with(OP, |w| {
            let pool = pool_mut(w, OP, pool_id)?;
            Ok(pool.branded.contains(client_id))
        })
        .await
    }

    async fn get_signing_certificate(&self, pool_id: &str) -> ApiResult<String> {
        self.with("GetSigningCertificate", |w| {
            pool_mut(w, "GetSigningCertificate", pool_id)?;
            Ok(crate::certs::TEST_CERTIFICATE_B64.to_string())
        })
        .await
    }

    async fn delete_identity_provider(&self, pool_id: &str, name: &str) -> ApiResult<()> {
        let op = "DeleteIdentityProvider";
        self.with(op, |w| {
            let pool = pool_mut(w, op, pool_id)?;
            if pool
                .clients
                .values()
                .any(|c| c.supported_identity_providers.iter().any(|p| p == name))
            {
                return Err(ApiError::new(
                    ErrorKind::InvalidParameter,
                    op,
                    format!("Identity provider {name} is used by an app client."),
                ));
            }
            pool.providers.remove(name);
            Ok(())
        })
        .await
    }

    async fn delete_user_pool_client(&self, pool_id: &str, client_id: &str) -> ApiResult<()> {
        let op = "DeleteUserPoolClient";
        self.with(op, |w| {
            pool_mut(w, op, pool_id)?.clients.remove(client_id);
            Ok(())
        })
        .await
    }

    async fn delete_domain(&self, pool_id: &str, domain: &str) -> ApiResult<()> {
        let op = "DeleteUserPoolDomain";
        self.with(op, |w| {
            pool_mut(w, op, pool_id)?.pool.domain = None;
            w.domains.remove(domain);
            Ok(())
        })
        .await
    }

    async fn delete_user_pool(&self, pool_id: &str) -> ApiResult<()> {
        let op = "DeleteUserPool";
        self.with(op, |w| {
            // Cognito refuses while a domain is on the pool.
            if pool_mut(w, op, pool_id)?.pool.domain.is_some() {
                return Err(ApiError::new(
                    ErrorKind::InvalidParameter,
                    op,
                    "The user pool has a domain configured: delete the domain first.",
                ));
            }
            w.pools.remove(pool_id);
            Ok(())
        })
        .await
    }
}
