{#
    One row per referral code: its owner as a customer (the referrer) and since when that customer
    had bought. The referrer is the code's owner_customer_id, else the customer the owner's
    normalized e-mail belongs to (int_emails_resolved_to_customers: the identity rule guest
    orders follow). The referrer became a customer with their first order that counts under
    that customer id or with that e-mail (DECISIONS.md, "Referral attribution").
#}
with

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

email_customers as (
    select
        email_normalized_hash,
        customer_id
    from {{ ref('int_emails_resolved_to_customers') }}
),

orders as (
    select
        customer_id,
        email_normalized_hash,
        ordered_at
    from {{ ref('int_orders_numbered_per_customer') }}
    where counts_as_order
),

{# the first order that counts of every customer and of every normalized e-mail #}
customer_first_orders as (
    select
        customer_id,
        min(ordered_at) as first_ordered_at
    from orders
    group by 1
),

email_first_orders as (
    select
        email_normalized_hash,
        min(ordered_at) as first_ordered_at
    from orders
    where email_normalized_hash is not null
    group by 1
),

code_owners as (
    select
        referral_codes.referral_code,
        referral_codes.link_token,
        referral_codes.owner_email_normalized_hash,
        referral_codes.program_variant,
        referral_codes.offer_framing,
        coalesce(
            referral_codes.owner_customer_id,
            email_customers.customer_id
        ) as referrer_customer_id,
        (
            referral_codes.owner_customer_id is null
            and referral_codes.owner_email_normalized_hash is null
        ) as is_ownerless
    from referral_codes
    left join email_customers
        on referral_codes.owner_email_normalized_hash = email_customers.email_normalized_hash
),

{# the owner became a customer with their first order under their customer id or e-mail #}
code_owners_since as (
    select
        -- ids
        code_owners.referral_code,
        code_owners.link_token,
        code_owners.referrer_customer_id,
        code_owners.owner_email_normalized_hash,

        -- strings
        code_owners.program_variant,
        code_owners.offer_framing,

        -- booleans
        code_owners.is_ownerless,

        -- timestamps
        case
            when customer_first_orders.first_ordered_at is null
                then email_first_orders.first_ordered_at
            when email_first_orders.first_ordered_at is null
                then customer_first_orders.first_ordered_at
            when customer_first_orders.first_ordered_at < email_first_orders.first_ordered_at
                then customer_first_orders.first_ordered_at
            else email_first_orders.first_ordered_at
        end as referrer_first_ordered_at
    from code_owners
    left join customer_first_orders
        on code_owners.referrer_customer_id = customer_first_orders.customer_id
    left join email_first_orders
        on code_owners.owner_email_normalized_hash = email_first_orders.email_normalized_hash
)

select * from code_owners_since
