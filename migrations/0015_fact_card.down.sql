DROP TABLE fact_card;
