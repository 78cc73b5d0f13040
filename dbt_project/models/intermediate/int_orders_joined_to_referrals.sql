{#
    One row per order of int_orders_numbered_per_customer: the referral code or link it used, the
    customer who owns that code, and whether the order counts for the referral KPI
    (attribution_status = 'attributed'). The rules, first match wins, are in
    DECISIONS.md ("Referral attribution").
    A table, like its parent: three marts and the cohort marts read it.
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
        net_revenue_usd,
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
        owner_customer_id,
        owner_email_normalized_hash,
        program_variant,
        offer_framing
    from {{ ref('stg_referrals__referral_codes') }}
),

{# the first order that counts of every customer and of every normalized e-mail #}
customer_first_orders as (
    select
        customer_id,
        min(ordered_at) as first_ordered_at
    from orders
    where counts_as_order
    group by 1
),

email_orders_ranked as (
    select
        email_normalized_hash,
        customer_id,
        ordered_at,
        row_number() over (
            partition by email_normalized_hash
            order by ordered_at, order_id
        ) as email_order_rank
    from orders
    where
        counts_as_order
        and email_normalized_hash is not null
),

email_first_orders as (
    select
        email_normalized_hash,
        customer_id,
        ordered_at as first_ordered_at
    from email_orders_ranked
    where email_order_rank = 1
),

{# the owner as a customer: their customer id, else whoever first ordered with their e-mail #}
code_owners as (
    select
        referral_codes.referral_code,
        referral_codes.link_token,
        referral_codes.owner_email_normalized_hash,
        referral_codes.program_variant,
        referral_codes.offer_framing,
        email_first_orders.first_ordered_at as email_first_ordered_at,
        coalesce(
            referral_codes.owner_customer_id,
            email_first_orders.customer_id
        ) as referrer_customer_id,
        (
            referral_codes.owner_customer_id is null
            and referral_codes.owner_email_normalized_hash is null
        ) as is_ownerless
    from referral_codes
    left join email_first_orders
        on referral_codes.owner_email_normalized_hash = email_first_orders.email_normalized_hash
),

{# the owner became a customer with their first order under their customer id or e-mail #}
code_owners_since as (
    select
        code_owners.referral_code,
        code_owners.link_token,
        code_owners.referrer_customer_id,
        code_owners.owner_email_normalized_hash,
        code_owners.program_variant,
        code_owners.offer_framing,
        code_owners.is_ownerless,
        case
            when customer_first_orders.first_ordered_at is null
                then code_owners.email_first_ordered_at
            when code_owners.email_first_ordered_at is null
                then customer_first_orders.first_ordered_at
            when customer_first_orders.first_ordered_at < code_owners.email_first_ordered_at
                then customer_first_orders.first_ordered_at
            else code_owners.email_first_ordered_at
        end as referrer_first_ordered_at
    from code_owners
    left join customer_first_orders
        on code_owners.referrer_customer_id = customer_first_orders.customer_id
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
        code_owners_since.referrer_customer_id,
        code_matches.referral_code,
        code_owners_since.link_token,
        code_matches.attribution_method,
        code_owners_since.program_variant,
        code_owners_since.offer_framing,
        orders.net_revenue_usd,
        orders.counts_as_order,
        orders.is_first_order,
        code_owners_since.is_ownerless,
        code_owners_since.referrer_first_ordered_at,
        orders.order_date,
        orders.order_month,
        orders.ordered_at,
        (
            coalesce(code_owners_since.referrer_customer_id = orders.customer_id, false)
            or coalesce(
                code_owners_since.owner_email_normalized_hash = orders.email_normalized_hash,
                false
            )
        ) as is_self_referral
    from orders
    inner join code_matches
        on orders.order_id = code_matches.order_id
    left join code_owners_since
        on code_matches.referral_code = code_owners_since.referral_code
),

classified as (
    select
        order_id,
        customer_id,
        referrer_customer_id,
        referral_code,
        link_token,
        attribution_method,
        program_variant,
        offer_framing,
        net_revenue_usd,
        is_self_referral,
        is_first_order,
        order_date,
        order_month,
        ordered_at,
        case
            when attribution_method is null then 'no_code'
            when not counts_as_order then 'cancelled'
            when referral_code is null or is_ownerless then 'unknown_code'
            when is_self_referral then 'own_code'
            when
                referrer_first_ordered_at is null
                or referrer_first_ordered_at >= ordered_at
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

        -- numerics
        net_revenue_usd,

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
