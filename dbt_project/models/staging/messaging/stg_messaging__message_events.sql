{# One row per lifecycle message event; e-mail and phone are hashed here and nowhere else. #}
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
        occurred_at
    from {{ source('messaging', 'message_events') }}
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
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at
    from message_events
)

select * from renamed
