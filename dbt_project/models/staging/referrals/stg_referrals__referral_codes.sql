{#
    One row per referral code/link the program issued. Codes are compared upper-cased and trimmed,
    as stg_shop__orders.discount_code is; the reward stays in its own currency,
    reward_currency_code (no mart sums rewards).
#}
with

referral_codes as (
    select
        referral_code,
        link_token,
        owner_customer_id,
        owner_email,
        program_variant,
        offer_framing,
        reward_amount,
        reward_currency,
        issued_at
    from {{ source('referrals', 'referral_codes') }}
),

renamed as (
    select
        -- ids
        nullif(upper(trim(referral_code)), '') as referral_code,
        nullif(trim(link_token), '') as link_token,
        cast(nullif(trim(owner_customer_id), '') as {{ dbt.type_string() }}) as owner_customer_id,

        -- personal data, hashed
        {{ hash_pii('owner_email') }} as owner_email_hash,
        {{ hash_pii(normalize_email('owner_email')) }} as owner_email_normalized_hash,

        -- strings
        lower(trim(program_variant)) as program_variant,
        lower(trim(offer_framing)) as offer_framing,
        nullif(upper(trim(reward_currency)), '') as reward_currency_code,

        -- money, in reward_currency_code
        cast(reward_amount as decimal(18, 2)) as reward_amount,

        -- timestamps, UTC
        cast(issued_at as {{ dbt.type_timestamp() }}) as issued_at
    from referral_codes
)

select * from renamed
