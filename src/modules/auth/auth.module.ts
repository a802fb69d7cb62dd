import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module';
import { HashingModule } from '../crypto/hashing.module';
import { ApiClientsService } from './api-clients.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ApiClient } from './entities/api-client.entity';
import { FailedAttemptsStore } from './failed-attempts.store';
import { RouteMetadata } from '../../common/metadata/route-metadata';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { RolesGuard } from './roles.guard';
import { SecretVerificationGate } from './secret-verification.gate';
import { TokenService } from './token.service';

@Module({
  imports: [PassportModule, JwtModule.register({}), MikroOrmModule.forFeature([ApiClient]), AuditModule, HashingModule],
  controllers: [AuthController],
  providers: [
    ApiClientsService,
    AuthService,
    FailedAttemptsStore,
    JwtStrategy,
    JwtAuthGuard,
    RolesGuard,
    RouteMetadata,
    SecretVerificationGate,
    TokenService,
  ],
  exports: [ApiClientsService, TokenService, JwtAuthGuard, RolesGuard, RouteMetadata],
})
export class AuthModule {}
