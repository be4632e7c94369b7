-- Library pictures are served under a random key rather than their sequential id, so nobody can
-- walk /media/1, /media/2, ... to pictures uploaded for stories still under embargo. Keys lie
-- in [2^62, 2^63), far above any id, so a path's number tells which of the two it is; the
-- application draws new ones from the operating system's randomness.
ALTER TABLE media ADD COLUMN public_key INTEGER;
UPDATE media SET public_key = 4611686018427387904 + (random() & 4611686018427387903);
CREATE UNIQUE INDEX media_public_key ON media (public_key);
