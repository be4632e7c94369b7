-- Library pictures are served under a random key rather than their sequential id, so nobody can
-- walk /media/1, /media/2, ... to pictures uploaded for stories still under embargo. Keys lie
-- in [2^62, 2^63), far above any id, so a path's number tells which of the two it is; the
-- application draws new ones from the operating system's randomness.
ALTER TABLE media ADD COLUMN public_key BIGINT;
UPDATE media SET public_key = 4611686018427387904
    + (('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint & 4611686018427387903);
ALTER TABLE media ALTER COLUMN public_key SET NOT NULL;
CREATE UNIQUE INDEX media_public_key ON media (public_key);
