import { Module } from '@nestjs/common';
import { SecretHasher } from './secret-hasher';

/** Secret hashing alone (no database, no keys), for modules such as auth and the CLI that only hash secrets. */
@Module({ providers: [SecretHasher], exports: [SecretHasher] })
export class HashingModule {}
