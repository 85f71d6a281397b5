-- The shop sync's "available of every good across objects" walks a firm's stocked
-- goods in id order and looks their stock up by (good, object).
CREATE INDEX goods_firm_kind ON goods (firm_id, kind, id);
