{#
    Customer identity, one row per normalized e-mail the warehouse can tie to a buyer (on an order,
    or on a referral code issued to a store account): the customer behind it. The store account
    that ordered with it first, else the account the referral program first issued a code to
    under it, else the guest 'guest_' || email_normalized_hash. Both users of an e-mail's identity
    read it here: guest orders (int_orders_numbered_per_customer) and referral code owners known
    only by e-mail (int_referral_codes_resolved_to_referrers). DECISIONS.md, "Identity across
    orders". A table: it ranks every order.
#}
{{ config(materialized='table') }}

with

orders as (
    select
        order_id,
        shop_customer_id,
        email_normalized_hash,
        ordered_at
    from {{ ref('stg_shop__orders') }}
    where email_normalized_hash is not null
),

referral_codes as (
    select
        referral_code,
        owner_customer_id,
        owner_email_normalized_hash,
        issued_at
    from {{ ref('stg_referrals__referral_codes') }}
    where
        owner_customer_id is not null
        and owner_email_normalized_hash is not null
),

{#
    Every store account seen with an e-mail: on its orders (any order, also a cancelled one), then
    on the codes issued to it (an account holder who only ever checked out as a guest)
#}
email_accounts as (
    select
        email_normalized_hash,
        shop_customer_id as account_customer_id,
        1 as source_priority,
        ordered_at as linked_at,
        order_id as link_id
    from orders
    where shop_customer_id is not null
    union all
    select
        owner_email_normalized_hash as email_normalized_hash,
        owner_customer_id as account_customer_id,
        2 as source_priority,
        issued_at as linked_at,
        referral_code as link_id
    from referral_codes
),

email_accounts_ranked as (
    select
        email_normalized_hash,
        account_customer_id,
        row_number() over (
            partition by email_normalized_hash
            order by source_priority, linked_at, link_id
        ) as account_rank
    from email_accounts
),

email_owners as (
    select
        email_normalized_hash,
        account_customer_id
    from email_accounts_ranked
    where account_rank = 1
),

{# e-mails only ever seen on guest checkouts: the guest is a customer of their own #}
guest_emails as (
    select distinct orders.email_normalized_hash
    from orders
    left join email_owners
        on orders.email_normalized_hash = email_owners.email_normalized_hash
    where email_owners.email_normalized_hash is null
),

resolved as (
    select
        email_normalized_hash,
        account_customer_id as customer_id,
        true as has_store_account
    from email_owners
    union all
    select
        email_normalized_hash,
        {{ dbt.concat(["'guest_'", "email_normalized_hash"]) }} as customer_id,
        false as has_store_account
    from guest_emails
)

select * from resolved
