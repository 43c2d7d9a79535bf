//! Per-region id namespaces: the secrets the ids of a region's imported legacy rows are derived
//! from (`rainstaff_core::ids::legacy_id`), so that no device can compute another region's ids
//! in advance and claim them. The server keeps one random secret, made the first time any
//! namespace is needed (and at `init`, so that every backup carries it), and derives each region's
//! namespace from it. A region thus gets its namespace when first needed without a row of its own,
//! the same on this server ever after, a restore from any backup included; knowing one region's
//! namespace tells nothing about another's. A device gets its region's at enrollment; an
//! administrator's device gets every region's the server knows then, and asks for others later.

use rainstaff_core::ids::IdNamespaces;
use rainstaff_core::protocol::{ALL_REGIONS, in_scope};
use rainstaff_core::regions;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Server;
use crate::auth;
use crate::error::ServiceError;
use crate::store::{Device, Store, Tx};

const SECRET_SETTING: &str = "id_namespace_secret";
/// The most regions one request may name.
pub const MAX_REGIONS: usize = 100;

/// The server's secret, made when first needed.
pub(super) fn secret(tx: &mut impl Tx) -> Result<String, ServiceError> {
    if let Some(secret) = tx.setting(SECRET_SETTING)? {
        return Ok(secret);
    }
    let secret = auth::new_token();
    tx.set_setting(SECRET_SETTING, Some(&secret))?;
    Ok(secret)
}

/// A region's namespace: the first 16 bytes of SHA-256 over a fixed label, the secret and the
/// region. The secret comes first and the digest is cut short, so neither the namespace of a
/// region nor any number of them lets anybody compute another's.
pub(super) fn namespace(secret: &str, region: &str) -> Uuid {
    let digest = Sha256::new()
        .chain_update(b"rainstaff id namespace\0")
        .chain_update(secret.as_bytes())
        .chain_update(b"\0")
        .chain_update(region.as_bytes());
    let bytes: [u8; 16] = digest.finalize()[..16].try_into().expect("SHA-256 has 32 bytes");
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The namespaces a device of `region` gets at enrollment: its own; for an administrator's device,
/// those of the regions the product knows and of every region with a device or a row.
pub(super) fn at_enrollment(tx: &mut impl Tx, region: &str) -> Result<IdNamespaces, ServiceError> {
    let secret = secret(tx)?;
    let mut regions: Vec<String> = vec![region.to_string()];
    if region == ALL_REGIONS {
        regions = regions::KNOWN.iter().map(|(code, _)| code.to_string()).collect();
        regions.extend(tx.devices()?.into_iter().map(|d| d.region));
        regions.extend(tx.table_counts()?.into_iter().map(|c| c.region));
    }
    Ok(regions
        .into_iter()
        .filter(|r| r != ALL_REGIONS)
        .map(|r| {
            let namespace = namespace(&secret, &r);
            (r, namespace)
        })
        .collect())
}

impl<S: Store> Server<S> {
    /// The namespaces of `regions` for `device`, which may ask for regions in its scope only.
    pub fn id_namespaces(&self, device: &Device, regions: &[String]) -> Result<IdNamespaces, ServiceError> {
        if regions.len() > MAX_REGIONS {
            return Err(ServiceError::invalid(
                "too_many_regions",
                format!("ask for at most {MAX_REGIONS} regions at once; got {}", regions.len()),
            ));
        }
        let mut wanted = Vec::with_capacity(regions.len());
        for asked in regions {
            let region = regions::normalize(asked).filter(|r| r != ALL_REGIONS).ok_or_else(|| {
                ServiceError::invalid(
                    "invalid_region",
                    "every region must be a region's name, not ALL or empty",
                )
            })?;
            if !in_scope(&device.region, &region) {
                return Err(ServiceError::forbidden(
                    "region_forbidden",
                    "this computer may not import into another region",
                ));
            }
            wanted.push(region);
        }
        self.namespaces_of(wanted)
    }

    /// The namespaces of `regions`, for the server's own imports.
    pub(super) fn namespaces_of(
        &self,
        regions: impl IntoIterator<Item = String>,
    ) -> Result<IdNamespaces, ServiceError> {
        let secret = self.store.write(|tx| secret(tx))?;
        Ok(regions.into_iter().map(|r| (r.clone(), namespace(&secret, &r))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_differ_by_region_and_secret_and_never_change() {
        let (a, b) = (auth::new_token(), auth::new_token());
        assert_eq!(namespace(&a, "Izmir"), namespace(&a, "Izmir"));
        assert_ne!(namespace(&a, "Izmir"), namespace(&a, "Ankara"));
        assert_ne!(namespace(&a, "Izmir"), namespace(&b, "Izmir"));
        // A fixed secret's namespace, so that a change of the derivation is noticed: every
        // server's rows would get other ids.
        assert_eq!(namespace(&"0".repeat(64), "Izmir").to_string(), "e8cb4250-d566-453b-9ee9-6099d357d730");
    }
}
