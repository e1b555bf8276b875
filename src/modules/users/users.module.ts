import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Party } from '../parties/party.entity';
import { FirstAdminService } from './first-admin.service';
import { User } from './user.entity';
import { MeController, UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, Party])],
  controllers: [UsersController, MeController],
  providers: [UsersService, FirstAdminService],
  exports: [UsersService, FirstAdminService],
})
export class UsersModule {}
