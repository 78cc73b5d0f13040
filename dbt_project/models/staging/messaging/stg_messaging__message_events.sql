{#
    One row per lifecycle message event; e-mail and phone are hashed here and nowhere else.
    Incremental (DECISIONS.md, "Incremental models"): events are append-only, so a run reads the
    events loaded since its newest _loaded_at minus the lookback; a merge on message_event_id
    makes the events of the lookback window, read again, land once.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='message_event_id',
    on_schema_change='fail',
) }}

with

message_events as (
    select
        event_id,
        message_id,
        order_id,
        customer_id,
        email,
        phone,
        channel,
        flow,
        event_type,
        variant,
        occurred_at,
        _loaded_at
    from {{ source('messaging', 'message_events') }}
    {% if is_incremental() %}
        where _loaded_at >= {{ incremental_cutoff(this) }}
    {% endif %}
),

renamed as (
    select
        -- ids
        cast(event_id as {{ dbt.type_string() }}) as message_event_id,
        cast(message_id as {{ dbt.type_string() }}) as message_id,
        cast(nullif(trim(order_id), '') as {{ dbt.type_string() }}) as order_id,
        cast(nullif(trim(customer_id), '') as {{ dbt.type_string() }}) as customer_id,

        -- personal data, hashed
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii('phone') }} as phone_hash,

        -- strings
        lower(trim(channel)) as channel,
        lower(trim(flow)) as flow,
        lower(trim(event_type)) as event_type,
        nullif(trim(variant), '') as variant,

        -- timestamps, UTC
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,

        -- loader
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from message_events
)

select * from renamed
