create table orders
