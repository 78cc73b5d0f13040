{#
    One row per referral event (shared, clicked, signed_up, reward_issued). The export carries no
    currency on events: a reward is in the currency of its code
    (stg_referrals__referral_codes.reward_currency_code).
#}
with

referral_events as (
    select
        event_id,
        referral_code,
        event_type,
        share_channel,
        referred_customer_id,
        referred_email,
        reward_amount,
        occurred_at
    from {{ source('referrals', 'referral_events') }}
),

renamed as (
    select
        -- ids
        cast(event_id as {{ dbt.type_string() }}) as referral_event_id,
        nullif(upper(trim(referral_code)), '') as referral_code,
        cast(nullif(trim(referred_customer_id), '') as {{ dbt.type_string() }})
            as referred_customer_id,

        -- personal data, hashed
        {{ hash_pii('referred_email') }} as referred_email_hash,
        {{ hash_pii(normalize_email('referred_email')) }} as referred_email_normalized_hash,

        -- strings
        lower(trim(event_type)) as event_type,
        nullif(lower(trim(share_channel)), '') as share_channel,

        -- money, in the code's reward currency
        cast(reward_amount as decimal(18, 2)) as reward_amount,

        -- timestamps, UTC
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at
    from referral_events
)

select * from renamed
