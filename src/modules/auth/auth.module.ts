import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AuditModule } from '../audit/audit.module';
import { HashingModule } from '../crypto/hashing.module';
import { ApiClientsService } from './api-clients.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ApiClient } from './entities/api-client.entity';
import { FailedAttemptsStore } from './failed-attempts.store';
import { RouteMetadata } from '../../common/metadata/route-metadata';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RevokedClients } from './revoked-clients';
import { TokenVerifier } from './token-verifier';
import { RolesGuard } from './roles.guard';
import { SecretVerificationGate } from './secret-verification.gate';
import { TokenService } from './token.service';

@Module({
  imports: [JwtModule.register({}), MikroOrmModule.forFeature([ApiClient]), AuditModule, HashingModule],
  controllers: [AuthController],
  providers: [
    ApiClientsService,
    AuthService,
    FailedAttemptsStore,
    RevokedClients,
    TokenVerifier,
    JwtAuthGuard,
    RolesGuard,
    RouteMetadata,
    SecretVerificationGate,
    TokenService,
  ],
  exports: [ApiClientsService, TokenService, JwtAuthGuard, RolesGuard, RouteMetadata, RevokedClients, TokenVerifier],
})
export class AuthModule {}
