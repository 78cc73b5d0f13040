{#
    One row per order of int_orders_numbered_per_customer: the referral code or link it used, the
    code's owner as a customer (int_referral_codes_resolved_to_referrers), and whether the order
    counts for the referral KPI (attribution_status = 'attributed'). The rules, first match wins,
    are in DECISIONS.md ("Referral attribution"). A table: three marts and the cohort marts read it.
#}
{{ config(materialized='table') }}

with

orders as (
    select
        order_id,
        customer_id,
        email_normalized_hash,
        discount_code,
        referral_token,
        currency_code,
        net_revenue_amount,
        counts_as_order,
        is_first_order,
        order_date,
        order_month,
        ordered_at
    from {{ ref('int_orders_numbered_per_customer') }}
),

referral_codes as (
    select
        referral_code,
        link_token,
        referrer_customer_id,
        owner_email_normalized_hash,
        program_variant,
        offer_framing,
        is_ownerless,
        referrer_first_ordered_at
    from {{ ref('int_referral_codes_resolved_to_referrers') }}
),

{# a known link token wins over a typed code; an unknown token still marks a referral visit #}
code_matches as (
    select
        orders.order_id,
        coalesce(link_codes.referral_code, typed_codes.referral_code) as referral_code,
        case
            when link_codes.referral_code is not null then 'link'
            when typed_codes.referral_code is not null then 'code'
            when orders.referral_token is not null then 'link'
        end as attribution_method
    from orders
    left join referral_codes as link_codes
        on orders.referral_token = link_codes.link_token
    left join referral_codes as typed_codes
        on orders.discount_code = typed_codes.referral_code
),

judged as (
    select
        orders.order_id,
        orders.customer_id,
        referral_codes.referrer_customer_id,
        code_matches.referral_code,
        referral_codes.link_token,
        code_matches.attribution_method,
        referral_codes.program_variant,
        referral_codes.offer_framing,
        orders.currency_code,
        orders.net_revenue_amount,
        orders.counts_as_order,
        orders.is_first_order,
        referral_codes.is_ownerless,
        referral_codes.referrer_first_ordered_at,
        orders.order_date,
        orders.order_month,
        orders.ordered_at,
        (
            coalesce(referral_codes.referrer_customer_id = orders.customer_id, false)
            or coalesce(
                referral_codes.owner_email_normalized_hash = orders.email_normalized_hash,
                false
            )
        ) as is_self_referral
    from orders
    inner join code_matches
        on orders.order_id = code_matches.order_id
    left join referral_codes
        on code_matches.referral_code = referral_codes.referral_code
),

classified as (
    select
        judged.*,
        case
            when judged.attribution_method is null then 'no_code'
            when not judged.counts_as_order then 'cancelled'
            when judged.referral_code is null or judged.is_ownerless then 'unknown_code'
            when judged.is_self_referral then 'own_code'
            when
                judged.referrer_first_ordered_at is null
                or judged.referrer_first_ordered_at >= judged.ordered_at
                then 'referrer_not_yet_customer'
            else 'attributed'
        end as attribution_status
    from judged
),

flagged as (
    select
        classified.*,
        classified.attribution_status = 'attributed' as is_referral_linked,
        (
            classified.attribution_status = 'attributed' and classified.is_first_order
        ) as is_referred_first_order
    from classified
),

final as (
    select
        -- ids
        order_id,
        customer_id,
        referrer_customer_id,
        referral_code,
        link_token,

        -- strings
        attribution_method,
        attribution_status,
        program_variant,
        offer_framing,
        currency_code,

        -- numerics
        net_revenue_amount,

        -- booleans
        is_referral_linked,
        is_self_referral,
        is_referred_first_order,

        -- dates
        order_date,
        order_month,

        -- timestamps
        ordered_at
    from flagged
)

select * from final
