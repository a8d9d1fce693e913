-- the product catalogue
create table products
insert into products widget 9.99
insert into products gadget 24.50
