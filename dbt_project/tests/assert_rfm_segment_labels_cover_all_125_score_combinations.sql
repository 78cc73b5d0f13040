{#
    rfm_segment_labels maps every (recency, frequency, monetary) score combination, 5 × 5 × 5 =
    125, to exactly one of the 11 segments: returns a row when the seed has another row count, a
    repeated combination, a score outside 1-5 or a label outside the list.
#}
with

labels as (
    select
        recency_score,
        frequency_score,
        monetary_score,
        rfm_segment
    from {{ ref('rfm_segment_labels') }}
),

combinations as (
    select
        count(*) as row_count,
        count(distinct {{ dbt.concat([
            "cast(recency_score as " ~ dbt.type_string() ~ ")",
            "cast(frequency_score as " ~ dbt.type_string() ~ ")",
            "cast(monetary_score as " ~ dbt.type_string() ~ ")",
        ]) }}) as combination_count,
        sum(
            case
                when
                    recency_score between 1 and 5
                    and frequency_score between 1 and 5
                    and monetary_score between 1 and 5
                    then 0
                else 1
            end
        ) as out_of_range_count,
        sum(
            case
                when rfm_segment in (
                    'Champions', 'Loyal', 'Potential Loyalist', 'New', 'Promising',
                    'Need Attention', 'About to Sleep', 'At Risk', 'Can''t Lose Them',
                    'Hibernating', 'Lost'
                ) then 0
                else 1
            end
        ) as unknown_label_count,
        count(distinct rfm_segment) as label_count
    from labels
),

failures as (
    select *
    from combinations
    where
        row_count != 125
        or combination_count != 125
        or out_of_range_count != 0
        or unknown_label_count != 0
        or label_count != 11
)

select * from failures
