{#
    One row per order (every order, also cancelled and voided ones): who the customer is, which of
    the customer's orders it is, and what it is worth. Identity, order numbering and revenue rules
    are in DECISIONS.md and the column docs.
#}
{{ config(materialized='table') }}

with

orders as (
    select
        order_id,
        shop_customer_id,
        email_normalized_hash,
        financial_status,
        discount_code,
        referral_token,
        subtotal_usd,
        discount_usd,
        refunded_usd,
        is_cancelled,
        ordered_at,
        delivered_at
    from {{ ref('stg_shop__orders') }}
),

order_lines as (
    select
        order_id,
        line_cost_usd
    from {{ ref('stg_shop__order_lines') }}
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

{# the cost of goods of an order is known only when every one of its lines has a unit cost #}
order_costs as (
    select
        order_id,
        sum(line_cost_usd) as cost_of_goods_usd,
        count(*) as line_count,
        count(line_cost_usd) as costed_line_count
    from order_lines
    group by 1
),

{#
    Which store account an e-mail belongs to: the account that ordered with it first, else the
    referral program's owner of a code issued to it (an account holder who only ever checked out
    as a guest), first issued first.
#}
email_accounts as (
    select
        email_normalized_hash,
        shop_customer_id as account_customer_id,
        1 as source_priority,
        ordered_at as linked_at,
        order_id as link_id
    from orders
    where
        shop_customer_id is not null
        and email_normalized_hash is not null
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
        account_customer_id as owner_customer_id
    from email_accounts_ranked
    where account_rank = 1
),

{#
    The e-mail join is an equi-join only: the coalesce already prefers the order's own account,
    and a left-side condition in it (shop_customer_id is null) made DuckDB pick a nested-loop
    join, 500 s at 1M orders against seconds for the hash join.
#}
identified as (
    select
        orders.order_id,
        coalesce(
            orders.shop_customer_id,
            email_owners.owner_customer_id,
            {{ dbt.concat(["'guest_'", "orders.email_normalized_hash"]) }},
            {{ dbt.concat(["'guest_order_'", "orders.order_id"]) }}
        ) as customer_id,
        orders.shop_customer_id,
        orders.email_normalized_hash,
        orders.discount_code,
        orders.referral_token,
        orders.subtotal_usd,
        orders.discount_usd,
        orders.refunded_usd,
        orders.is_cancelled,
        (
            not orders.is_cancelled
            and coalesce(orders.financial_status, '') != 'voided'
        ) as counts_as_order,
        orders.ordered_at,
        orders.delivered_at
    from orders
    left join email_owners
        on orders.email_normalized_hash = email_owners.email_normalized_hash
),

{# refunds come off net revenue, which never goes below 0; tax and shipping are not revenue #}
valued as (
    select
        identified.*,
        order_costs.cost_of_goods_usd,
        coalesce(order_costs.line_count, 0) as line_count,
        coalesce(order_costs.costed_line_count, 0) as costed_line_count,
        case
            when not identified.counts_as_order then 0
            when
                identified.subtotal_usd - identified.discount_usd - identified.refunded_usd < 0
                then 0
            else identified.subtotal_usd - identified.discount_usd - identified.refunded_usd
        end as net_revenue_usd
    from identified
    left join order_costs
        on identified.order_id = order_costs.order_id
),

numbered as (
    select
        -- ids
        order_id,
        customer_id,
        shop_customer_id,
        email_normalized_hash,

        -- strings
        discount_code,
        referral_token,

        -- numerics
        case
            when counts_as_order
                then cast(row_number() over (
                    partition by customer_id, counts_as_order
                    order by ordered_at, order_id
                ) as {{ dbt.type_int() }})
        end as customer_order_number,
        cast(subtotal_usd as decimal(18, 2)) as gross_revenue_usd,
        cast(discount_usd as decimal(18, 2)) as discount_usd,
        cast(refunded_usd as decimal(18, 2)) as refunded_usd,
        cast(net_revenue_usd as decimal(18, 2)) as net_revenue_usd,
        cast(
            case
                when not counts_as_order then 0
                when line_count = 0 or costed_line_count < line_count then null
                else net_revenue_usd - cost_of_goods_usd
            end as decimal(18, 2)
        ) as gross_margin_usd,

        -- booleans
        is_cancelled,
        counts_as_order,

        -- timestamps
        ordered_at,
        {{ to_reporting_timezone('ordered_at') }} as ordered_at_local,
        delivered_at
    from valued
),

dated as (
    select
        order_id,
        customer_id,
        shop_customer_id,
        email_normalized_hash,
        discount_code,
        referral_token,
        customer_order_number,
        gross_revenue_usd,
        discount_usd,
        refunded_usd,
        net_revenue_usd,
        gross_margin_usd,
        is_cancelled,
        counts_as_order,
        coalesce(customer_order_number = 1, false) as is_first_order,
        cast(ordered_at_local as date) as order_date,
        cast({{ dbt.date_trunc('month', 'ordered_at_local') }} as date) as order_month,
        ordered_at,
        ordered_at_local,
        delivered_at
    from numbered
)

select * from dated
