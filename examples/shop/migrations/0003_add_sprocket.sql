insert into products sprocket 3.75   -- new in spring
