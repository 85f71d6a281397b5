-- When an API token last authenticated a request (issue 11: shown beside each token, so
-- an owner sees which are in use). Written at most once a minute per token.
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
