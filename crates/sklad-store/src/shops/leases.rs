//! One process at a time spends a shop's API budget (API.md §1.13: the budget belongs
//! to the shop's domain, shared by every key and app). A process holds a shop's lease
//! while it works with that shop and renews it; the others leave the shop alone until
//! the lease lapses.

use crate::db::{get, parse_ts, ts_text};
use crate::{Store, StoreResult};

impl Store {
    /// Takes the lease on `host` for `holder` until now + `ttl`, or renews it, when it
    /// is free, lapsed or already `holder`'s. Returns whether `holder` holds it now.
    pub async fn acquire_shop_lease(
        &self,
        host: &str,
        holder: &str,
        ttl: jiff::SignedDuration,
    ) -> StoreResult<bool> {
        let now = self.now();
        let until = now.saturating_add(ttl).unwrap_or(now);
        let mut w = self.write_redoable().await?;
        sqlx::query(
            "INSERT INTO shop_leases (shop_host, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (shop_host) DO UPDATE SET holder = excluded.holder, \
             expires_at = excluded.expires_at \
             WHERE shop_leases.holder = excluded.holder OR shop_leases.expires_at <= $4",
        )
        .bind(host)
        .bind(holder)
        .bind(ts_text(until))
        .bind(ts_text(now))
        .execute(&mut *w.tx)
        .await?;
        let row = sqlx::query("SELECT holder FROM shop_leases WHERE shop_host = $1")
            .bind(host)
            .fetch_one(&mut *w.tx)
            .await?;
        let held = get::<String>(&row, "holder")? == holder;
        w.commit().await?;
        Ok(held)
    }

    /// Gives the lease on `host` up, when `holder` has it.
    pub async fn release_shop_lease(&self, host: &str, holder: &str) -> StoreResult<()> {
        let mut w = self.write_redoable().await?;
        sqlx::query("DELETE FROM shop_leases WHERE shop_host = $1 AND holder = $2")
            .bind(host)
            .bind(holder)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }

    /// Who holds the lease on `host` and until when (lapsed leases included).
    pub async fn shop_lease(&self, host: &str) -> StoreResult<Option<(String, jiff::Timestamp)>> {
        sqlx::query("SELECT holder, expires_at FROM shop_leases WHERE shop_host = $1")
            .bind(host)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| {
                Ok((
                    get(&r, "holder")?,
                    parse_ts(&get::<String>(&r, "expires_at")?)?,
                ))
            })
            .transpose()
    }
}
